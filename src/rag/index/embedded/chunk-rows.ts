/** The row shape the embedded adapter keeps in memory and writes to its journal. */
import type { Chunk, IndexedChunk } from '../../types.js';

export interface ChunkRow {
  /** Position of the row's vector in the slab (and its key in the ANN graph and BM25 postings). */
  slot: number;
  chunk: Chunk;
  contentHash: string;
}

/** The chunk without its embedding, with optional fields omitted when absent (stable JSON). */
export function stripEmbedding(c: IndexedChunk): Chunk {
  const chunk: Chunk = { id: c.id, documentId: c.documentId, index: c.index, text: c.text, metadata: { ...c.metadata } };
  if (c.parentId !== undefined) chunk.parentId = c.parentId;
  if (c.kind !== undefined) chunk.kind = c.kind;
  return chunk;
}

/** A defensive copy handed to callers, so they cannot mutate stored rows. */
export function copyChunk(c: Chunk): Chunk {
  return { ...c, metadata: { ...c.metadata } };
}
