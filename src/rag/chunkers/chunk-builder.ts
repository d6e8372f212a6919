/** Turns a span of a document into a Chunk: trimmed text, exact offsets, page and section metadata. */
import type { Chunk, Metadata, RagDocument } from '../types.js';
import { trimSpan, type Span } from './text-spans.js';

/** Document-level keys that describe the whole document and would only bloat every chunk. */
const DOCUMENT_ONLY_KEYS = new Set(['pageOffsets']);

export interface ChunkExtras {
  /** Heading path from the top-level heading down to the chunk's own section. */
  headings?: readonly string[];
  metadata?: Metadata;
  parentId?: string;
  kind?: Chunk['kind'];
  /** Overrides `${documentId}#${index}` (parents use `#p${n}`). */
  id?: string;
}

/** The document's metadata without its document-only keys; computed once per document. */
export function chunkBaseMetadata(document: RagDocument, chunker: string): Metadata {
  const base: Metadata = {};
  for (const [key, value] of Object.entries(document.metadata)) {
    if (!DOCUMENT_ONLY_KEYS.has(key)) base[key] = value;
  }
  base.chunker = chunker;
  return base;
}

/** Trims the span; returns undefined when nothing but whitespace is left. */
export function buildChunk(document: RagDocument, base: Metadata, index: number, span: Span, extras: ChunkExtras = {}): Chunk | undefined {
  const { start, end } = trimSpan(document.text, span);
  if (end <= start) return undefined;
  const metadata: Metadata = { ...base, ...extras.metadata, start, end };
  const page = pageAt(document.metadata.pageOffsets, start);
  if (page !== undefined) metadata.page = page;
  if (extras.headings && extras.headings.length > 0) {
    metadata.headings = [...extras.headings];
    metadata.section = extras.headings.join(' > ');
  }
  const chunk: Chunk = { id: extras.id ?? `${document.id}#${index}`, documentId: document.id, index, text: document.text.slice(start, end), metadata };
  if (extras.parentId !== undefined) chunk.parentId = extras.parentId;
  if (extras.kind !== undefined) chunk.kind = extras.kind;
  return chunk;
}

/** 1-based page of an offset, from a PDF's `pageOffsets` (each page's start offset). */
function pageAt(pageOffsets: unknown, offset: number): number | undefined {
  if (!Array.isArray(pageOffsets) || pageOffsets.length === 0) return undefined;
  let page = 0;
  for (let i = 0; i < pageOffsets.length; i++) {
    if (typeof pageOffsets[i] === 'number' && (pageOffsets[i] as number) <= offset) page = i + 1;
  }
  return page || undefined;
}
