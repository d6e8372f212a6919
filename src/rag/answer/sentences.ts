/**
 * Sentence splitting for extractive answers: on sentence-final punctuation (see SENTENCE_BREAK),
 * after re-joining the hard-wrapped lines of a paragraph (Markdown documentation wraps prose at
 * ~80 columns, and a sentence cut at a line end reads as nonsense). Blank lines, list items, quotes
 * and table rows start new units; code blocks and headings are not prose and are left out (an
 * extracted answer quoting `rl.on('line', (line) => {` says nothing). Fragments of fewer than 3
 * words are not sentences.
 */

/**
 * A break after . ! ? and whitespace, unless the period ends a common abbreviation. Any character may
 * follow: in technical text a sentence often starts with a lower-case identifier (`os.cpus() …`).
 */
const SENTENCE_BREAK = /(?<!\b(?:e\.g|i\.e|etc|vs|cf|approx|Mr|Ms|Dr|No|Fig)\.)(?<=[.!?])\s+(?=\S)/;

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const block of proseBlocks(text)) {
    for (const piece of block.split(SENTENCE_BREAK)) {
      const sentence = piece.trim();
      if (sentence.split(/\s+/).length >= 3) out.push(sentence);
    }
  }
  return out;
}

const HEADING = /^\s{0,3}#{1,6}\s+/;
/** A line that starts a unit of its own: list item, numbered item, quote, table row. */
const UNIT_START = /^\s*([-*+]\s+|\d+[.)]\s+|>\s*|\|)/;
const FENCE = /^\s*(```|~~~)/;

/** Paragraphs with their wrapped lines joined; code blocks and headings dropped. */
function proseBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let inFence = false;
  const flush = (): void => {
    if (current.length > 0) blocks.push(current.join(' '));
    current = [];
  };
  for (const raw of text.split('\n')) {
    if (FENCE.test(raw)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    if (raw.trim() === '' || HEADING.test(raw)) {
      flush();
      continue;
    }
    if (UNIT_START.test(raw)) flush();
    current.push(raw.replace(/^\s*([-*+]\s+|\d+[.)]\s+|>\s*)/, '').trim());
  }
  flush();
  return blocks;
}
