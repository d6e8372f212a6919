/** Builds a chunker by name, for configuration, the CLI and the HTTP service. */
import { ConduitError } from '../../core/errors.js';
import type { EmbeddingModel } from '../../models/language-model.js';
import type { Tokenizer } from '../../models/tokenizer/index.js';
import type { Chunker } from './chunker.js';
import { createParentChildChunker } from './parent-child-chunker.js';
import { createRecursiveChunker } from './recursive-chunker.js';
import { createSemanticChunker } from './semantic-chunker.js';
import { createTokenWindowChunker } from './token-window-chunker.js';

export const CHUNKING_STRATEGIES = ['recursive', 'token-window', 'semantic', 'parent-child'] as const;
export type ChunkingStrategy = (typeof CHUNKING_STRATEGIES)[number];

export interface ChunkerConfig {
  /** Default `recursive`. */
  strategy?: ChunkingStrategy;
  /** Chunk size in tokens (children for `parent-child`). */
  maxTokens?: number;
  /** `token-window` only. */
  overlap?: number;
  /** `parent-child` only. */
  parentTokens?: number;
  /** `semantic` only. */
  threshold?: number;
  /** Needed by `semantic`. */
  embedder?: EmbeddingModel;
  tokenizer?: Tokenizer;
}

export function createChunker(config: ChunkerConfig = {}): Chunker {
  const strategy = config.strategy ?? 'recursive';
  switch (strategy) {
    case 'recursive':
      return createRecursiveChunker({ maxTokens: config.maxTokens, tokenizer: config.tokenizer });
    case 'token-window':
      return createTokenWindowChunker({ size: config.maxTokens, overlap: config.overlap, tokenizer: config.tokenizer });
    case 'parent-child':
      return createParentChildChunker({ childTokens: config.maxTokens, parentTokens: config.parentTokens, tokenizer: config.tokenizer });
    case 'semantic':
      if (!config.embedder) throw new ConduitError('invalid_request', 'The semantic chunker needs an embedding model', { code: 'missing_embedder' });
      return createSemanticChunker({ embedder: config.embedder, threshold: config.threshold, maxTokens: config.maxTokens, tokenizer: config.tokenizer });
    default:
      throw new ConduitError('invalid_request', `Unknown chunking strategy '${String(strategy)}' (one of ${CHUNKING_STRATEGIES.join(', ')})`, {
        code: 'unknown_chunking_strategy',
        param: 'chunking',
      });
  }
}
