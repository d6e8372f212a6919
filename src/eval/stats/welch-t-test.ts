/**
 * Welch's unequal-variance t-test for a continuous metric (latency, tokens, cost, feedback score)
 * between two arms. Welch rather than Student: A/B arms rarely have equal variances or sizes, and
 * Welch loses almost nothing when they do.
 */
import { ConduitError } from '../../core/errors.js';
import { studentTQuantile, twoSidedTPValue } from './distributions.js';
import { summarize, type SampleSummary } from './sample-summary.js';

export interface ConfidenceInterval {
  lower: number;
  upper: number;
  /** e.g. 0.95 */
  level: number;
}

export interface WelchResult {
  /** mean(a) − mean(b) */
  meanDifference: number;
  /** (mean(a) − mean(b)) / sqrt(var(a)/n(a) + var(b)/n(b)) */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided. */
  pValue: number;
  /** Confidence interval of mean(a) − mean(b) at level 1 − alpha. */
  ci: ConfidenceInterval;
  alpha: number;
  significant: boolean;
}

export const DEFAULT_ALPHA = 0.05;

/** Welch's test on raw values. */
export function welchTTest(a: readonly number[], b: readonly number[], alpha: number = DEFAULT_ALPHA): WelchResult {
  return welchTTestFromSummaries(summarize(a), summarize(b), alpha);
}

/** Welch's test on per-arm summaries (n, mean, sample variance). Each arm needs at least 2 values. */
export function welchTTestFromSummaries(a: SampleSummary, b: SampleSummary, alpha: number = DEFAULT_ALPHA): WelchResult {
  checkAlpha(alpha);
  if (a.n < 2 || b.n < 2) {
    throw new ConduitError('invalid_request', `Welch's t-test needs at least 2 values per arm (got ${a.n} and ${b.n})`, { code: 'insufficient_samples' });
  }
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const diff = a.mean - b.mean;
  if (se === 0) {
    // Both arms constant: the difference is exact. Equal means → nothing to detect; unequal → certain.
    const df = a.n + b.n - 2;
    const t = diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY;
    const pValue = diff === 0 ? 1 : 0;
    return { meanDifference: diff, t, df, pValue, ci: { lower: diff, upper: diff, level: 1 - alpha }, alpha, significant: pValue < alpha };
  }
  const t = diff / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const pValue = twoSidedTPValue(t, df);
  const margin = studentTQuantile(1 - alpha / 2, df) * se;
  return { meanDifference: diff, t, df, pValue, ci: { lower: diff - margin, upper: diff + margin, level: 1 - alpha }, alpha, significant: pValue < alpha };
}

export function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new ConduitError('invalid_request', `alpha must be between 0 and 1 (exclusive), got ${alpha}`, { code: 'invalid_alpha' });
}
