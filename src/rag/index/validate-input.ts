/** Input checks shared by every ChunkIndex adapter: bad input is rejected before anything changes. */
import type { IndexedChunk, KeywordQuery, VectorQuery } from '../types.js';
import { dimensionMismatch, invalidIndexInput } from './errors.js';
import { validateFilter } from './metadata-filter.js';

const KINDS = new Set(['chunk', 'parent', 'summary']);
/** Larger result sets are a mistake (or an attack), not a retrieval request. */
export const MAX_TOP_K = 10_000;

export function validateChunks(collection: string, chunks: readonly IndexedChunk[], dimensions: number | undefined): number | undefined {
  let dims = dimensions;
  for (const [i, c] of chunks.entries()) {
    const at = `chunks[${i}]`;
    if (typeof c.id !== 'string' || c.id === '') throw invalidIndexInput(`${at}.id must be a non-empty string`, `${at}.id`);
    if (typeof c.documentId !== 'string' || c.documentId === '') throw invalidIndexInput(`${at}.documentId must be a non-empty string`, `${at}.documentId`);
    if (typeof c.text !== 'string') throw invalidIndexInput(`${at}.text must be a string`, `${at}.text`);
    if (!Number.isInteger(c.index) || c.index < 0) throw invalidIndexInput(`${at}.index must be a non-negative integer`, `${at}.index`);
    if (typeof c.contentHash !== 'string' || c.contentHash === '') throw invalidIndexInput(`${at}.contentHash must be a non-empty string`, `${at}.contentHash`);
    if (c.kind !== undefined && !KINDS.has(c.kind)) throw invalidIndexInput(`${at}.kind must be chunk, parent or summary`, `${at}.kind`);
    if (typeof c.metadata !== 'object' || c.metadata === null || Array.isArray(c.metadata)) throw invalidIndexInput(`${at}.metadata must be an object`, `${at}.metadata`);
    if (!(c.embedding instanceof Float32Array) || c.embedding.length === 0) {
      throw invalidIndexInput(`${at}.embedding must be a non-empty Float32Array`, `${at}.embedding`);
    }
    if (dims === undefined) dims = c.embedding.length;
    else if (c.embedding.length !== dims) throw dimensionMismatch(collection, dims, c.embedding.length, `${at}.embedding`);
    for (let j = 0; j < c.embedding.length; j++) {
      if (!Number.isFinite(c.embedding[j])) throw invalidIndexInput(`${at}.embedding holds a non-finite value`, `${at}.embedding`);
    }
  }
  return dims;
}

function validateTopK(topK: unknown): void {
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    throw invalidIndexInput(`topK must be an integer from 1 to ${MAX_TOP_K}`, 'topK');
  }
}

function validateKinds(kinds: readonly string[] | undefined): void {
  if (kinds === undefined) return;
  if (!Array.isArray(kinds) || !kinds.every((k) => KINDS.has(k))) throw invalidIndexInput('kinds may only hold chunk, parent and summary', 'kinds');
}

export function validateVectorQuery(collection: string, query: VectorQuery, dimensions: number | undefined): void {
  validateTopK(query.topK);
  if (!(query.embedding instanceof Float32Array) || query.embedding.length === 0) throw invalidIndexInput('embedding must be a non-empty Float32Array', 'embedding');
  if (dimensions !== undefined && query.embedding.length !== dimensions) throw dimensionMismatch(collection, dimensions, query.embedding.length);
  validateFilter(query.filter);
  validateKinds(query.kinds);
}

export function validateKeywordQuery(query: KeywordQuery): void {
  validateTopK(query.topK);
  if (typeof query.text !== 'string') throw invalidIndexInput('text must be a string', 'text');
  validateFilter(query.filter);
  validateKinds(query.kinds);
}
