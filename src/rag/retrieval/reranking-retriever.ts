/**
 * Reranking: over-fetch from a base retriever (cheap, high recall), re-score every candidate with a
 * Reranker (expensive, precise: a cross-encoder or an LLM judge), keep the best topK. Ties keep the
 * base order, so a reranker that cannot tell candidates apart changes nothing.
 */
import { ConduitError } from '../../core/errors.js';
import type { RetrievalRequest, RetrievedChunk, Reranker, Retriever } from '../types.js';
import { validateRetrievalRequest } from './validate-request.js';

export interface RerankingRetrieverOptions {
  base: Retriever;
  reranker: Reranker;
  /** Candidates fetched from the base (default max(3 × topK, 20)). */
  fetchK?: (topK: number) => number;
  /** Candidates scoring below this are dropped (default: none dropped). */
  minScore?: number;
  name?: string;
}

export function createRerankingRetriever(options: RerankingRetrieverOptions): Retriever {
  const name = options.name ?? 'rerank';
  const fetchK = options.fetchK ?? ((topK: number) => Math.max(3 * topK, 20));
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const candidates = await options.base.retrieve({ ...request, topK: Math.max(request.topK, fetchK(request.topK)) });
      if (candidates.length === 0) return [];
      const scores = await options.reranker.score(request.query, candidates.map((c) => c.chunk.text), request.signal);
      if (scores.length !== candidates.length) {
        throw new ConduitError('provider_error', `Reranker '${options.reranker.name}' returned ${scores.length} scores for ${candidates.length} passages`, { code: 'reranker_mismatch' });
      }
      return candidates
        .map((hit, position) => ({ hit, position, score: scores[position] ?? 0 }))
        .filter((c) => options.minScore === undefined || c.score >= options.minScore)
        .sort((a, b) => b.score - a.score || a.position - b.position)
        .slice(0, request.topK)
        .map(({ hit, score }) => ({ chunk: hit.chunk, score, via: `${name}(${hit.via})` }));
    },
  };
}
