/**
 * A model-free Reranker: passage relevance from passage-relevance.ts (IDF-weighted query-term
 * coverage, and embedding similarity when an embedder is given). It is what `rerank` uses when no
 * language model is configured, and a baseline to compare an LLM judge or a cross-encoder against.
 */
import type { EmbeddingModel } from '../../models/language-model.js';
import type { Reranker } from '../types.js';
import { scorePassages } from './passage-relevance.js';

export interface RelevanceRerankerOptions {
  embedder?: EmbeddingModel;
}

export function createRelevanceReranker(options: RelevanceRerankerOptions = {}): Reranker {
  return {
    name: options.embedder ? `relevance:${options.embedder.modelId}` : 'relevance:lexical',
    async score(query: string, passages: readonly string[], signal?: AbortSignal): Promise<number[]> {
      const relevance = await scorePassages(query, passages, options.embedder, signal ? { signal } : {});
      return relevance.scores;
    },
  };
}
