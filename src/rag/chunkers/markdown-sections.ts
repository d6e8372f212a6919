/**
 * Sections of a Markdown text: the span from one heading to the next, with the path of headings
 * above it, and the spans of its blocks (paragraphs, code blocks, lists, tables) as `marked`'s
 * lexer (a maintained CommonMark/GFM parser) sees them — so a `#` inside fenced code is no heading
 * and a code block is never cut at a blank line while it fits.
 */
import { Lexer, type Token } from 'marked';
import type { Span } from './text-spans.js';

export interface Section extends Span {
  /** Heading texts from the top level down to this section's own heading; empty before the first heading. */
  headings: string[];
  /** The section's blocks, in order, covering the section exactly. */
  blocks: Span[];
}

export function markdownSections(text: string): Section[] {
  let tokens: Token[];
  try {
    tokens = Lexer.lex(text, { gfm: true });
  } catch {
    return [plainSection(text)];
  }
  // The chunker needs offsets into the original text: only usable if the raw pieces tile it exactly.
  if (tokens.map((t) => t.raw).join('') !== text) return [plainSection(text)];

  const sections: Section[] = [];
  const path: { depth: number; text: string }[] = [];
  let current: Section = { start: 0, end: 0, headings: [], blocks: [] };
  let offset = 0;
  let hasContent = false;
  for (const token of tokens) {
    const span = { start: offset, end: offset + token.raw.length };
    offset = span.end;
    if (token.type === 'heading') {
      const depth = (token as Token & { depth: number }).depth;
      while (path.length > 0 && (path[path.length - 1]?.depth ?? 0) >= depth) path.pop();
      path.push({ depth, text: (token as Token & { text: string }).text.trim() });
      const headings = path.map((h) => h.text);
      if (current.end > current.start && !hasContent) {
        // A heading directly followed by another heading has no text of its own: it opens the next section.
        current = { start: current.start, end: span.end, headings, blocks: [...current.blocks, span] };
      } else {
        if (current.end > current.start) sections.push(current);
        current = { start: span.start, end: span.end, headings, blocks: [span] };
      }
      hasContent = false;
      continue;
    }
    current.end = span.end;
    current.blocks.push(span);
    if (token.type !== 'space') hasContent = true;
  }
  if (current.end > current.start) sections.push(current);
  return sections.length > 0 ? sections : [plainSection(text)];
}

function plainSection(text: string): Section {
  return { start: 0, end: text.length, headings: [], blocks: [{ start: 0, end: text.length }] };
}

/** Whether a document's text is Markdown (its own, or HTML rendered as Markdown by the HTML loader). */
export function isMarkdownFormat(metadata: Record<string, unknown>): boolean {
  return metadata.format === 'markdown' || (metadata.format === undefined && metadata.type === 'markdown');
}

/**
 * For chunkers that cut without regard to structure (token windows, semantic): the heading path of
 * the section an offset falls in. Offsets must be asked in increasing order.
 */
export function headingsAt(document: { text: string; metadata: Record<string, unknown> }): (offset: number) => string[] | undefined {
  const sections = isMarkdownFormat(document.metadata) ? markdownSections(document.text) : [];
  let s = 0;
  return (offset) => {
    while (s + 1 < sections.length && (sections[s + 1]?.start ?? Infinity) <= offset) s++;
    const section = sections[s];
    return section && section.start <= offset ? section.headings : undefined;
  };
}
