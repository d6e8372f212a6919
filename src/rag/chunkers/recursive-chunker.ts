/**
 * Structure-aware recursive splitting: a chunk never spans two sections (heading to heading); within
 * a section, blocks are packed together up to `maxTokens`, and a block over the limit is split by
 * paragraphs, then lines, sentences, words. Each chunk records its heading path (`headings`,
 * `section`), so retrieval can show and filter where a passage sits in its document.
 */
import type { Tokenizer } from '../../models/tokenizer/index.js';
import type { Chunk, RagDocument } from '../types.js';
import { buildChunk, chunkBaseMetadata } from './chunk-builder.js';
import { DEFAULT_CHUNK_TOKENS, defaultChunkTokenizer, positiveInteger, type Chunker } from './chunker.js';
import { isMarkdownFormat, markdownSections, type Section } from './markdown-sections.js';
import { fitSpan, packSpans, splitSpan, type Span } from './text-spans.js';

export interface RecursiveChunkerOptions {
  /** Most tokens per chunk (default 512). */
  maxTokens?: number;
  tokenizer?: Tokenizer;
  /**
   * Read headings (default: when the document's `format` is `markdown`: Markdown files and HTML).
   * `false` treats every document as plain paragraphs.
   */
  headings?: boolean;
}

export function createRecursiveChunker(options: RecursiveChunkerOptions = {}): Chunker {
  const maxTokens = positiveInteger(options.maxTokens ?? DEFAULT_CHUNK_TOKENS, 'maxTokens');
  const tokenizer = options.tokenizer ?? defaultChunkTokenizer();

  return {
    name: 'recursive',
    async chunk(document: RagDocument): Promise<Chunk[]> {
      const base = chunkBaseMetadata(document, 'recursive');
      const chunks: Chunk[] = [];
      for (const { span, headings } of structuredSpans(document, maxTokens, tokenizer, options.headings)) {
        const chunk = buildChunk(document, base, chunks.length, span, { headings });
        if (chunk) chunks.push(chunk);
      }
      return chunks;
    },
  };
}

/** The spans a structure-aware split produces, each with its heading path (shared with the parent/child chunker). */
export function structuredSpans(document: RagDocument, maxTokens: number, tokenizer: Tokenizer, readHeadings?: boolean): { span: Span; headings: string[] }[] {
  const text = document.text;
  const useHeadings = readHeadings ?? isMarkdownFormat(document.metadata);
  const sections: Section[] = useHeadings
    ? markdownSections(text)
    : [{ start: 0, end: text.length, headings: [], blocks: splitSpan(text, { start: 0, end: text.length }, 'paragraph') }];
  const out: { span: Span; headings: string[] }[] = [];
  for (const section of sections) {
    // Blocks over the limit are split finer (paragraphs → lines → sentences → words) first, then everything is packed.
    const pieces = section.blocks.flatMap((block) => fitSpan(text, block, maxTokens, tokenizer));
    for (const span of packSpans(text, pieces, maxTokens, tokenizer)) out.push({ span, headings: section.headings });
  }
  return out;
}
