/**
 * Parent/child chunks for hierarchical retrieval: large structure-aware parents (default 1024
 * tokens) are cut into small children (default 256 tokens). Children are what gets matched (kind
 * `chunk`, ids `${documentId}#${n}`, `parentId` set); parents are stored beside them (kind `parent`,
 * ids `${documentId}#p${n}`) and handed to the answerer as the context around a matched child.
 */
import type { Tokenizer } from '../../models/tokenizer/index.js';
import type { Chunk, RagDocument } from '../types.js';
import { buildChunk, chunkBaseMetadata } from './chunk-builder.js';
import { defaultChunkTokenizer, positiveInteger, invalidChunking, type Chunker } from './chunker.js';
import { structuredSpans } from './recursive-chunker.js';
import { fitSpan, packSpans, splitSpan } from './text-spans.js';

export const DEFAULT_PARENT_TOKENS = 1024;
export const DEFAULT_CHILD_TOKENS = 256;

export interface ParentChildChunkerOptions {
  parentTokens?: number;
  childTokens?: number;
  tokenizer?: Tokenizer;
  /** Read Markdown headings for the parents (default: by the document's format, as the recursive chunker does). */
  headings?: boolean;
}

export function createParentChildChunker(options: ParentChildChunkerOptions = {}): Chunker {
  const parentTokens = positiveInteger(options.parentTokens ?? DEFAULT_PARENT_TOKENS, 'parentTokens');
  const childTokens = positiveInteger(options.childTokens ?? DEFAULT_CHILD_TOKENS, 'childTokens');
  if (childTokens >= parentTokens) throw invalidChunking(`childTokens (${childTokens}) must be smaller than parentTokens (${parentTokens})`, 'childTokens');
  const tokenizer = options.tokenizer ?? defaultChunkTokenizer();

  return {
    name: 'parent-child',
    async chunk(document: RagDocument): Promise<Chunk[]> {
      const text = document.text;
      const base = chunkBaseMetadata(document, 'parent-child');
      const parents: Chunk[] = [];
      const children: Chunk[] = [];
      for (const { span, headings } of structuredSpans(document, parentTokens, tokenizer, options.headings)) {
        const parentId = `${document.id}#p${parents.length}`;
        const parent = buildChunk(document, base, parents.length, span, { headings, id: parentId, kind: 'parent' });
        if (!parent) continue;
        parents.push(parent);
        // Children never cross their parent's boundary: split within the parent by paragraphs, sentences, words.
        const pieces = splitSpan(text, span, 'paragraph').flatMap((p) => fitSpan(text, p, childTokens, tokenizer, 1));
        for (const childSpan of packSpans(text, pieces, childTokens, tokenizer)) {
          const child = buildChunk(document, base, children.length, childSpan, { headings, parentId });
          if (child) children.push(child);
        }
      }
      return [...children, ...parents];
    },
  };
}
