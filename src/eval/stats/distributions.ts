/**
 * The special functions behind the tests: Student t and standard normal CDFs and quantiles, from
 * stdlib (well-kept, tested against reference tables) rather than a hand-rolled incomplete beta.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdfOf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileOf from '@stdlib/stats-base-dists-normal-quantile';

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentTCdf(t: number, df: number): number {
  return tCdf(t, df);
}

/** The t value below which a share `p` of the distribution lies. */
export function studentTQuantile(p: number, df: number): number {
  return tQuantile(p, df);
}

/** P(Z ≤ z) for the standard normal. */
export function normalCdf(z: number): number {
  return normalCdfOf(z, 0, 1);
}

/** The standard normal quantile. */
export function normalQuantile(p: number): number {
  return normalQuantileOf(p, 0, 1);
}

/** Two-sided p-value of a t statistic: 2·P(T ≥ |t|), computed on the lower tail to keep precision for large |t|. */
export function twoSidedTPValue(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  return Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
}

/** Two-sided p-value of a z statistic. */
export function twoSidedZPValue(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}
