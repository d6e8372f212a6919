/**
 * The chunker contract and the defaults every chunker shares. Sizes are in tokens of a real BPE
 * tokenizer (cl100k by default, the encoding of OpenAI's embedding models), because what has to fit
 * is an embedding model's input and a prompt's context window, neither of which counts characters.
 */
import { tokenizerFor, type Tokenizer } from '../../models/tokenizer/index.js';
import { ConduitError } from '../../core/errors.js';
import type { Chunk, RagDocument } from '../types.js';

export interface Chunker {
  /** `token-window`, `recursive`, `semantic`, `parent-child`: recorded in each chunk's metadata. */
  readonly name: string;
  /**
   * Cuts a document into chunks with ids `${documentId}#${index}` (leaf chunks, 0-based and
   * consecutive) and `start`/`end` character offsets into `document.text` in their metadata.
   */
  chunk(document: RagDocument): Promise<Chunk[]>;
}

/** 512 tokens: inside the 500–1000 range the reference guide recommends, and short enough for sentence encoders. */
export const DEFAULT_CHUNK_TOKENS = 512;
/** 64 tokens (12.5%): enough to carry a sentence across a window boundary. */
export const DEFAULT_CHUNK_OVERLAP = 64;

/** cl100k_base: exact for OpenAI embedding models and a close count for most others. */
export function defaultChunkTokenizer(): Tokenizer {
  return tokenizerFor('openai', 'text-embedding-3-small');
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw invalidChunking(`${name} must be a positive integer (got ${value})`, name);
  return value;
}

/** Bad chunking settings are the caller's error (HTTP 400), named by the setting at fault. */
export function invalidChunking(message: string, param: string): ConduitError {
  return new ConduitError('invalid_request', message, { code: 'invalid_chunking', param });
}
