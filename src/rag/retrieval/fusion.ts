/**
 * Rank fusion: several ranked lists of chunks in, one ranked list out. Chunks are identified by id;
 * the fused chunk keeps the first list's copy of it, its score becomes the fusion score and its
 * `via` names the fusion.
 *
 * - `reciprocalRankFusion`: score = Σ weight / (k + rank), k = 60 (Cormack et al.). Ranks only, so
 *   no calibration between BM25 scores and cosines is needed. With k = 60 neighbouring ranks differ
 *   by ~2%, so support from a second list easily outweighs a lead in the first: the weights decide
 *   how much a weaker list may reorder a stronger one (the default hybrid's choice: hybrid-retriever.ts).
 * - `weightedScoreFusion`: score = Σ weight × normalised score. Normalisations:
 *   - `min-max`: (s − min) / (max − min); stretches every list to [0, 1], flat lists included;
 *   - `z-score`: (s − mean) / std; likewise scale-free;
 *   - `max`: s / max, relative to zero (where cosine and BM25 are both anchored), so a list keeps its
 *     shape: a flat list barely reorders anything, a peaked one steers. Measured, it is too timid:
 *     with BM25's wide spreads it hardly lets the vector list count at all.
 *   A chunk a list did not return gets that list's lowest normalised score (`missing: 'list-min'`,
 *   the default) or 0 (`'zero'`): absence from a truncated top-N says "not better than the last one".
 *   A list that returned fewer chunks than asked is `exhaustive`: there, absence means no match and
 *   always scores 0.
 */
import { ConduitError } from '../../core/errors.js';
import type { RetrievedChunk } from '../types.js';

export interface RankedList {
  /** Names the list (the retriever's name); weights are looked up by it. */
  name: string;
  hits: readonly RetrievedChunk[];
  /** Default 1. */
  weight?: number;
  /**
   * True when the list holds every chunk its retriever matched (it returned fewer than asked): a
   * chunk absent from it did not match at all and scores 0 there, whatever `missing` says.
   */
  exhaustive?: boolean;
}

export const DEFAULT_RRF_K = 60;

export interface RrfOptions {
  /** Default 60. */
  k?: number;
  /** Truncates the fused list. */
  topK?: number;
  /** Default `rrf`. */
  via?: string;
}

export function reciprocalRankFusion(lists: readonly RankedList[], options: RrfOptions = {}): RetrievedChunk[] {
  const k = options.k ?? DEFAULT_RRF_K;
  if (!(k >= 0) || !Number.isFinite(k)) throw new ConduitError('invalid_request', `RRF k must be a non-negative number, got ${k}`, { code: 'invalid_fusion', param: 'k' });
  const fused = new Map<string, { hit: RetrievedChunk; score: number; firstSeen: number }>();
  let order = 0;
  for (const list of lists) {
    const weight = weightOf(list);
    list.hits.forEach((hit, index) => {
      const contribution = weight / (k + index + 1);
      const entry = fused.get(hit.chunk.id);
      if (entry) entry.score += contribution;
      else fused.set(hit.chunk.id, { hit, score: contribution, firstSeen: order++ });
    });
  }
  return finish(fused, options.via ?? 'rrf', options.topK);
}

export type ScoreNormalization = 'min-max' | 'z-score' | 'max';

export interface WeightedFusionOptions {
  /** Default `max` (see the file comment for why). */
  normalization?: ScoreNormalization;
  /** What a chunk absent from a list scores in it: the list's lowest normalised score (default) or 0. */
  missing?: 'list-min' | 'zero';
  topK?: number;
  /** Default `weighted`. */
  via?: string;
}

export function weightedScoreFusion(lists: readonly RankedList[], options: WeightedFusionOptions = {}): RetrievedChunk[] {
  const normalization = options.normalization ?? 'max';
  const missingPolicy = options.missing ?? 'list-min';
  const normalised = lists.map((list) => {
    const values = normalise(list.hits.map((h) => h.score), normalization);
    const byId = new Map<string, number>();
    list.hits.forEach((hit, i) => {
      if (!byId.has(hit.chunk.id)) byId.set(hit.chunk.id, values[i] ?? 0);
    });
    const floor = missingPolicy === 'zero' || list.exhaustive === true || values.length === 0 ? 0 : Math.min(...values);
    return { weight: weightOf(list), byId, floor, empty: list.hits.length === 0 };
  });
  const fused = new Map<string, { hit: RetrievedChunk; score: number; firstSeen: number }>();
  let order = 0;
  for (const list of lists) {
    for (const hit of list.hits) {
      if (!fused.has(hit.chunk.id)) fused.set(hit.chunk.id, { hit, score: 0, firstSeen: order++ });
    }
  }
  for (const [id, entry] of fused) {
    for (const list of normalised) {
      // An empty list says nothing about any chunk: it must not shift scores.
      if (list.empty) continue;
      entry.score += list.weight * (list.byId.get(id) ?? list.floor);
    }
  }
  return finish(fused, options.via ?? 'weighted', options.topK);
}

/** Normalises scores; a list whose scores are all equal (or a lone score) maps to 1s. */
export function normalise(scores: readonly number[], method: ScoreNormalization): number[] {
  if (scores.length === 0) return [];
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  if (method === 'max' && max > 0) return scores.map((s) => Math.max(0, s) / max);
  if (method === 'z-score') {
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    if (std === 0) return scores.map(() => 1);
    return scores.map((s) => (s - mean) / std);
  }
  // min-max, and `max` for lists with no positive score (nothing to anchor at zero).
  if (max === min) return scores.map(() => 1);
  return scores.map((s) => (s - min) / (max - min));
}

function weightOf(list: RankedList): number {
  const weight = list.weight ?? 1;
  if (!Number.isFinite(weight) || weight < 0) {
    throw new ConduitError('invalid_request', `Fusion weight for '${list.name}' must be a non-negative number, got ${weight}`, { code: 'invalid_fusion', param: 'weights' });
  }
  return weight;
}

function finish(fused: Map<string, { hit: RetrievedChunk; score: number; firstSeen: number }>, via: string, topK: number | undefined): RetrievedChunk[] {
  // Ties keep first-seen order, so fusion is deterministic and favours the earlier (primary) list.
  const ranked = [...fused.values()].sort((a, b) => b.score - a.score || a.firstSeen - b.firstSeen);
  const limited = topK === undefined ? ranked : ranked.slice(0, topK);
  return limited.map(({ hit, score }) => ({ chunk: hit.chunk, score, via }));
}
