/**
 * Fixed token windows with overlap. Windows are cut at word boundaries (never inside a word or a
 * character) and hold at most `size` tokens of the real tokenizer; each window after the first
 * starts with the last `overlap` tokens' worth of words of the previous one.
 */
import type { Tokenizer } from '../../models/tokenizer/index.js';
import type { Chunk, RagDocument } from '../types.js';
import { buildChunk, chunkBaseMetadata } from './chunk-builder.js';
import { DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_TOKENS, defaultChunkTokenizer, positiveInteger, invalidChunking, type Chunker } from './chunker.js';
import { headingsAt } from './markdown-sections.js';
import { fitSpan, splitSpan, type Span } from './text-spans.js';

export interface TokenWindowChunkerOptions {
  /** Tokens per window (default 512). */
  size?: number;
  /** Tokens shared by consecutive windows (default 64; must be below `size`). */
  overlap?: number;
  tokenizer?: Tokenizer;
}

export function createTokenWindowChunker(options: TokenWindowChunkerOptions = {}): Chunker {
  const size = positiveInteger(options.size ?? DEFAULT_CHUNK_TOKENS, 'size');
  const overlap = options.overlap ?? Math.min(DEFAULT_CHUNK_OVERLAP, Math.floor(size / 4));
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) throw invalidChunking(`overlap must be an integer in [0, size) (got ${overlap})`, 'overlap');
  const tokenizer = options.tokenizer ?? defaultChunkTokenizer();

  return {
    name: 'token-window',
    async chunk(document: RagDocument): Promise<Chunk[]> {
      const text = document.text;
      // Words (with their trailing space); a "word" longer than a window is cut further.
      const words = splitSpan(text, { start: 0, end: text.length }, 'word').flatMap((w) => fitSpan(text, w, size, tokenizer, 4));
      const counts = words.map((w) => tokenizer.count(text.slice(w.start, w.end)));
      const windows: Span[] = [];
      let first = 0;
      while (first < words.length) {
        let last = first;
        let sum = counts[first] ?? 0;
        while (last + 1 < words.length && sum + (counts[last + 1] ?? 0) <= size) sum += counts[++last] ?? 0;
        const start = words[first]?.start ?? 0;
        while (last > first && tokenizer.count(text.slice(start, words[last]?.end ?? start)) > size) last--;
        windows.push({ start, end: words[last]?.end ?? start });
        if (last + 1 >= words.length) break;
        // Step back over the words that make up the overlap, always moving forward by at least one word.
        let next = last + 1;
        let carried = 0;
        while (next - 1 > first && carried + (counts[next - 1] ?? 0) <= overlap) carried += counts[--next] ?? 0;
        first = next;
      }
      const base = chunkBaseMetadata(document, 'token-window');
      // Windows ignore structure, but still say which Markdown section they start in.
      const sectionAt = headingsAt(document);
      const chunks: Chunk[] = [];
      for (const window of windows) {
        const chunk = buildChunk(document, base, chunks.length, window, { headings: sectionAt(window.start) });
        if (chunk) chunks.push(chunk);
      }
      return chunks;
    },
  };
}
