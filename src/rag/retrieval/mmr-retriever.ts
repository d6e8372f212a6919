/**
 * Maximal marginal relevance (Carbonell & Goldstein): re-selects an over-fetched candidate list so
 * that each next chunk is relevant to the query but unlike those already chosen:
 *   next = argmax λ·sim(q, d) − (1 − λ)·max_{s ∈ selected} sim(d, s), λ = 0.5 by default.
 * Similarities use the stored embeddings (index.getEmbeddings), so no chunk is re-embedded; only the
 * query is. Candidates without a stored embedding keep their base order after the diverse ones.
 */
import type { EmbeddingModel } from '../../models/language-model.js';
import { ConduitError } from '../../core/errors.js';
import type { ChunkIndex, RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { dot, embedQuery } from './embedding-utils.js';
import { validateRetrievalRequest } from './validate-request.js';

export const DEFAULT_MMR_LAMBDA = 0.5;

export interface MmrRetrieverOptions {
  /** Produces the candidates (e.g. a vector or hybrid retriever). */
  base: Retriever;
  index: ChunkIndex;
  embedder: EmbeddingModel;
  /** 1 = pure relevance, 0 = pure diversity. Default 0.5. */
  lambda?: number;
  /** Candidates fetched from the base (default max(4 × topK, 20)). */
  fetchK?: (topK: number) => number;
  name?: string;
}

export function createMmrRetriever(options: MmrRetrieverOptions): Retriever {
  const lambda = options.lambda ?? DEFAULT_MMR_LAMBDA;
  if (!(lambda >= 0 && lambda <= 1)) throw new ConduitError('invalid_request', `MMR lambda must be in [0, 1], got ${lambda}`, { code: 'invalid_mmr_lambda', param: 'lambda' });
  const name = options.name ?? 'mmr';
  const fetchK = options.fetchK ?? ((topK: number) => Math.max(4 * topK, 20));
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const candidates = await options.base.retrieve({ ...request, topK: Math.max(request.topK, fetchK(request.topK)) });
      if (candidates.length === 0) return [];
      const [queryVector, stored] = await Promise.all([
        embedQuery(options.embedder, request.query, request.signal ? { signal: request.signal } : {}),
        options.index.getEmbeddings(candidates.map((c) => c.chunk.id)),
      ]);
      const selected = selectMmr(queryVector, candidates, stored, lambda, request.topK);
      return selected.map((hit) => ({ ...hit, via: name }));
    },
  };
}

/** The MMR selection itself (exported for tests and for re-ranking lists the caller already has). */
export function selectMmr(
  query: Float32Array,
  candidates: readonly RetrievedChunk[],
  embeddings: ReadonlyMap<string, Float32Array>,
  lambda: number,
  topK: number,
): RetrievedChunk[] {
  const pool = candidates
    .map((hit) => ({ hit, vector: embeddings.get(hit.chunk.id) }))
    .filter((c, i, all) => all.findIndex((o) => o.hit.chunk.id === c.hit.chunk.id) === i);
  const withVectors = pool.filter((c): c is { hit: RetrievedChunk; vector: Float32Array } => c.vector !== undefined);
  const withoutVectors = pool.filter((c) => c.vector === undefined).map((c) => c.hit);
  const relevance = new Map(withVectors.map((c) => [c.hit.chunk.id, dot(query, c.vector)]));
  const chosen: { hit: RetrievedChunk; vector: Float32Array; mmr: number }[] = [];
  const remaining = [...withVectors];
  while (chosen.length < topK && remaining.length > 0) {
    let bestIndex = 0;
    let bestScore = -Infinity;
    remaining.forEach((candidate, i) => {
      const rel = relevance.get(candidate.hit.chunk.id) ?? 0;
      const redundancy = chosen.length === 0 ? 0 : Math.max(...chosen.map((c) => dot(candidate.vector, c.vector)));
      const score = lambda * rel - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        bestIndex = i;
      }
    });
    const [next] = remaining.splice(bestIndex, 1);
    if (next) chosen.push({ ...next, mmr: bestScore });
  }
  const out = chosen.map((c) => ({ ...c.hit, score: c.mmr }));
  for (const hit of withoutVectors) if (out.length < topK) out.push(hit);
  return out;
}
