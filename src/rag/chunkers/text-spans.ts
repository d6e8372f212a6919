/**
 * Character spans over a document's text and the ways to cut them: paragraphs, lines, sentences
 * (ICU sentence boundaries through Intl.Segmenter), words, and as a last resort halves. Every cut
 * yields contiguous spans that cover their parent exactly, so chunk offsets always point at the
 * original text and packing neighbours back together loses nothing.
 */
import type { Tokenizer } from '../../models/tokenizer/index.js';

export interface Span {
  start: number;
  end: number;
}

export type SplitLevel = 'paragraph' | 'line' | 'sentence' | 'word' | 'half';
export const SPLIT_LEVELS: readonly SplitLevel[] = ['paragraph', 'line', 'sentence', 'word', 'half'];

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Cuts `span` before each boundary (absolute offsets strictly inside it). */
export function cutAt(span: Span, boundaries: Iterable<number>): Span[] {
  const out: Span[] = [];
  let start = span.start;
  for (const b of boundaries) {
    if (b <= start || b >= span.end) continue;
    out.push({ start, end: b });
    start = b;
  }
  out.push({ start, end: span.end });
  return out;
}

export function splitSpan(text: string, span: Span, level: SplitLevel): Span[] {
  const slice = text.slice(span.start, span.end);
  const at = (re: RegExp): number[] => [...slice.matchAll(re)].map((m) => span.start + (m.index ?? 0) + m[0].length);
  switch (level) {
    case 'paragraph':
      return cutAt(span, at(/\n[ \t]*\n\s*/g));
    case 'line':
      return cutAt(span, at(/\n/g));
    case 'sentence':
      // ICU ends a sentence after its trailing spaces; cut before them instead, as BPE does (` word` is one token).
      return cutAt(
        span,
        Array.from(sentenceSegmenter.segment(slice), (s) => span.start + s.index - (/[ \t]+$/.exec(slice.slice(0, s.index))?.[0].length ?? 0)),
      );
    case 'word':
      // Cut where whitespace starts, so each piece is a word with the space before it: the pieces BPE itself makes.
      return cutAt(span, [...slice.matchAll(/\s+(?=\S)/g)].map((m) => span.start + (m.index ?? 0)));
    case 'half': {
      let mid = span.start + Math.floor((span.end - span.start) / 2);
      // Never between the two halves of a surrogate pair.
      if (mid > span.start && isLowSurrogate(text.charCodeAt(mid))) mid++;
      return mid <= span.start || mid >= span.end ? [span] : [{ start: span.start, end: mid }, { start: mid, end: span.end }];
    }
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Splits `span` until every piece fits `maxTokens`, going down the levels from `fromLevel`, then
 * packs neighbouring pieces back together greedily so pieces are as large as the limit allows.
 */
export function fitSpan(text: string, span: Span, maxTokens: number, tokenizer: Tokenizer, fromLevel = 0): Span[] {
  if (tokenizer.count(text.slice(span.start, span.end)) <= maxTokens) return [span];
  for (let level = fromLevel; level < SPLIT_LEVELS.length; level++) {
    const levelName = SPLIT_LEVELS[level] ?? 'half';
    const parts = splitSpan(text, span, levelName);
    if (parts.length < 2) continue;
    // Halving repeats until it fits; every other level hands its over-long parts to the next level down.
    const nextLevel = levelName === 'half' ? level : level + 1;
    const fitted = parts.flatMap((part) => fitSpan(text, part, maxTokens, tokenizer, nextLevel));
    return packSpans(text, fitted, maxTokens, tokenizer);
  }
  // A single character over the limit (only possible with a limit of a token or two): keep it.
  return [span];
}

/**
 * Greedily joins adjacent pieces (each already within the limit) while the joined text fits.
 * Piece counts are summed while a group grows (BPE splits at whitespace, so the sum is what the
 * joined text counts, or slightly more); each closed group is then counted exactly, and in the rare
 * case it is over, pieces go back to the next group until it fits.
 */
export function packSpans(text: string, pieces: readonly Span[], maxTokens: number, tokenizer: Tokenizer): Span[] {
  const counts = pieces.map((p) => tokenizer.count(text.slice(p.start, p.end)));
  const out: Span[] = [];
  let first = 0;
  while (first < pieces.length) {
    let last = first;
    let sum = counts[first] ?? 0;
    while (last + 1 < pieces.length && sum + (counts[last + 1] ?? 0) <= maxTokens) sum += counts[++last] ?? 0;
    const start = pieces[first]?.start ?? 0;
    while (last > first && tokenizer.count(text.slice(start, pieces[last]?.end ?? start)) > maxTokens) last--;
    out.push({ start, end: pieces[last]?.end ?? start });
    first = last + 1;
  }
  return out;
}

/** The span without its leading and trailing whitespace (empty when it is all whitespace). */
export function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start] ?? '')) start++;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  return { start, end };
}
