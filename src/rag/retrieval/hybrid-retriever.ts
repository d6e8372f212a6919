/**
 * Hybrid retrieval: several retrievers (normally keyword + vector) run in parallel on an over-fetched
 * window (default max(4 × topK, 20)) and their lists are fused.
 *
 * The default must not fall below its best component: the embedded embedding model (USE-lite) is
 * weak on technical text, BM25 is strong on it, and an equal-weight fusion lets the weaker list
 * reorder the stronger one. The default is therefore weighted reciprocal rank fusion, k = 60, with
 * the keyword list weighing 1 and the vector list 0.4 (DEFAULT_HYBRID_WEIGHTS):
 * - rank fusion needs no calibration between BM25 scores and cosines, which have nothing in common;
 * - at 0.4 a vector-only chunk at vector rank 1 (0.4/61) scores like a keyword-only chunk at keyword
 *   rank ~92, so it cannot displace keyword hits by itself; vector evidence counts where both lists
 *   agree, and promotes chunks the keyword list ranks middling but the vector list ranks high;
 * - a list that found nothing contributes nothing, so a question sharing no word with the corpus
 *   gets the vector ranking unchanged.
 * Measured on bench/rag/datasets/node-docs (49 hand-written questions, 1,843 recursive chunks,
 * document-level, USE-lite; scratch script, not a benchmark): keyword MRR 0.588 / hit@5 0.735 /
 * nDCG@10 0.649; vector 0.509 / 0.633 / 0.541; this default 0.648 / 0.816 / 0.707. Vector weights from
 * 0.3 to 0.5 all beat keyword on every metric (the choice is not a knife edge); equal-weight RRF
 * (1/1) loses hit@1 to keyword (0.469 vs 0.510), which is the drag the issue warns about.
 * Score fusion (`{ method: 'weighted', normalization }`) is available too; with `max`
 * normalisation it barely moves the keyword ranking (MRR 0.591), with min-max or z-score at equal
 * weights it does better (0.630 / 0.624) but below weighted RRF.
 */
import { ConduitError } from '../../core/errors.js';
import type { RetrievalRequest, RetrievedChunk, Retriever } from '../types.js';
import { DEFAULT_RRF_K, reciprocalRankFusion, weightedScoreFusion, type ScoreNormalization } from './fusion.js';
import { throwIfAborted, validateRetrievalRequest } from './validate-request.js';

/** Per-retriever weights by name; unnamed retrievers weigh 1. */
export const DEFAULT_HYBRID_WEIGHTS: Readonly<Record<string, number>> = { keyword: 1, vector: 0.4 };

export type HybridFusion = { method: 'rrf'; k?: number } | { method: 'weighted'; normalization?: ScoreNormalization; missing?: 'list-min' | 'zero' };

export const DEFAULT_HYBRID_FUSION: HybridFusion = { method: 'rrf', k: DEFAULT_RRF_K };

export interface HybridRetrieverOptions {
  retrievers: readonly Retriever[];
  /** Weight per retriever name (default DEFAULT_HYBRID_WEIGHTS, 1 for names not listed). */
  weights?: Readonly<Record<string, number>>;
  /** Default `{ method: 'rrf', k: 60 }` (weighted by `weights`). */
  fusion?: HybridFusion;
  /** How many candidates each component returns before fusion (default max(4 × topK, 20)). */
  fetchK?: (topK: number) => number;
  name?: string;
}

export function createHybridRetriever(options: HybridRetrieverOptions): Retriever {
  if (options.retrievers.length === 0) throw new ConduitError('invalid_request', 'A hybrid retriever needs at least one retriever', { code: 'invalid_retriever' });
  const name = options.name ?? 'hybrid';
  const weights = options.weights ?? DEFAULT_HYBRID_WEIGHTS;
  const fusion: HybridFusion = options.fusion ?? DEFAULT_HYBRID_FUSION;
  const fetchK = options.fetchK ?? ((topK: number) => Math.max(4 * topK, 20));
  return {
    name,
    async retrieve(request: RetrievalRequest): Promise<RetrievedChunk[]> {
      validateRetrievalRequest(request);
      const window = Math.max(request.topK, fetchK(request.topK));
      const lists = await Promise.all(
        options.retrievers.map(async (retriever) => {
          const hits = await retriever.retrieve({ ...request, topK: window });
          return { name: retriever.name, hits, weight: weights[retriever.name] ?? 1, exhaustive: hits.length < window };
        }),
      );
      throwIfAborted(request.signal);
      if (fusion.method === 'rrf') return reciprocalRankFusion(lists, { k: fusion.k ?? DEFAULT_RRF_K, topK: request.topK, via: name });
      return weightedScoreFusion(lists, {
        normalization: fusion.normalization ?? 'max',
        missing: fusion.missing ?? 'list-min',
        topK: request.topK,
        via: name,
      });
    },
  };
}
