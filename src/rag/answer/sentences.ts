/**
 * Sentence splitting for extractive answers: on sentence-final punctuation (see SENTENCE_BREAK) and
 * on line breaks (headings, list items and table rows are units of their own). Markdown decoration is
 * stripped; fragments of fewer than 3 words are not sentences.
 */

/**
 * A break after . ! ? and whitespace, unless the period ends a common abbreviation. Any character may
 * follow: in technical text a sentence often starts with a lower-case identifier (`os.cpus() …`).
 */
const SENTENCE_BREAK = /(?<!\b(?:e\.g|i\.e|etc|vs|cf|approx|Mr|Ms|Dr|No|Fig)\.)(?<=[.!?])\s+(?=\S)/;

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\n+/)) {
    const line = rawLine.replace(/^\s*(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)/, '').trim();
    if (line === '') continue;
    for (const piece of line.split(SENTENCE_BREAK)) {
      const sentence = piece.trim();
      if (sentence.split(/\s+/).length >= 3) out.push(sentence);
    }
  }
  return out;
}
