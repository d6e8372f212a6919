/**
 * What a test needs to know about one arm's continuous metric: count, mean, sample variance.
 * Stores can compute these in SQL (count/avg/var_samp) instead of shipping every value.
 */
import { ConduitError } from '../../core/errors.js';

export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample variance (n − 1 denominator); 0 when n < 2. */
  variance: number;
}

/** Mean and sample variance in one Welford pass (stable for large, close values such as latencies in ms). */
export function summarize(values: readonly number[]): SampleSummary {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const x of values) {
    if (!Number.isFinite(x)) throw new ConduitError('invalid_request', `Sample values must be finite numbers, got ${x}`, { code: 'invalid_sample' });
    n++;
    const delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return { n, mean: n === 0 ? Number.NaN : mean, variance: n < 2 ? 0 : m2 / (n - 1) };
}

/** The median (mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The `q` quantile by linear interpolation between closest ranks (R's type 7, numpy's default),
 * so reported percentiles match what people get from the usual tools.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileOfSorted(sorted, q);
}

/** As `quantile`, for values already sorted ascending (no copy). */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (h - lo) * (b - a);
}
