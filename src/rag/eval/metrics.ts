/**
 * Retrieval metrics over one ranked list of document ids and the set judged relevant. Pure
 * functions: the runner averages them over a dataset. Ranks are of DOCUMENTS, not chunks — a
 * retriever returning three chunks of the same document has found one document, so callers
 * collapse chunk hits to their first occurrence per document (`rankedDocuments`) before scoring.
 *
 * Binary relevance throughout (the labelled sets say "relevant" or nothing); nDCG uses the
 * standard log2 discount, gain 1 for a relevant document at rank i: 1 / log2(i + 1).
 */

/** Document ids in rank order, each once (first occurrence wins), from chunk-level hits. */
export function rankedDocuments(documentIds: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of documentIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/** Share of the relevant documents found in the first k results. 0 when nothing is relevant (nothing to find). */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  return hitsInTopK(ranked, relevant, k) / relevant.size;
}

/**
 * Share of the first k results that are relevant. The denominator is k, not the number returned:
 * a retriever that returns fewer results than asked is not rewarded for it.
 */
export function precisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (k <= 0) return 0;
  return hitsInTopK(ranked, relevant, k) / k;
}

/** 1 / rank of the first relevant result (1-based), 0 when none is relevant. Averaged over queries it is MRR. */
export function reciprocalRank(ranked: readonly string[], relevant: ReadonlySet<string>, k = Number.POSITIVE_INFINITY): number {
  const limit = Math.min(k, ranked.length);
  for (let i = 0; i < limit; i++) {
    if (relevant.has(ranked[i] as string)) return 1 / (i + 1);
  }
  return 0;
}

/** Normalised discounted cumulative gain at k: DCG of the ranking over DCG of a perfect one. */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0 || k <= 0) return 0;
  let dcg = 0;
  const limit = Math.min(k, ranked.length);
  for (let i = 0; i < limit; i++) {
    if (relevant.has(ranked[i] as string)) dcg += 1 / Math.log2(i + 2);
  }
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/** Arithmetic mean; 0 for an empty list (a strategy evaluated on nothing scores nothing). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function hitsInTopK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let hits = 0;
  const limit = Math.min(k, ranked.length);
  for (let i = 0; i < limit; i++) if (relevant.has(ranked[i] as string)) hits++;
  return hits;
}
