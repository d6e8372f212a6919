/**
 * The two-proportion z-test for rates (thumbs-up rate, error rate) between two arms. The test uses
 * the pooled proportion (under H0 both arms share one rate); the confidence interval of the
 * difference uses the unpooled standard error (Wald), as the usual textbooks and tools do.
 */
import { ConduitError } from '../../core/errors.js';
import { normalQuantile, twoSidedZPValue } from './distributions.js';
import { checkAlpha, DEFAULT_ALPHA, type ConfidenceInterval } from './welch-t-test.js';

export interface ProportionSample {
  successes: number;
  trials: number;
}

export interface TwoProportionResult {
  /** p(a) − p(b) */
  difference: number;
  rateA: number;
  rateB: number;
  z: number;
  /** Two-sided. */
  pValue: number;
  ci: ConfidenceInterval;
  alpha: number;
  significant: boolean;
}

export function twoProportionZTest(a: ProportionSample, b: ProportionSample, alpha: number = DEFAULT_ALPHA): TwoProportionResult {
  checkAlpha(alpha);
  for (const [name, s] of [['a', a], ['b', b]] as const) {
    if (!Number.isInteger(s.trials) || !Number.isInteger(s.successes) || s.trials < 1 || s.successes < 0 || s.successes > s.trials) {
      throw new ConduitError('invalid_request', `Arm ${name}: successes and trials must be integers with 0 ≤ successes ≤ trials and trials ≥ 1`, { code: 'invalid_sample' });
    }
  }
  const pa = a.successes / a.trials;
  const pb = b.successes / b.trials;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  const diff = pa - pb;
  // Pooled rate 0 or 1: both arms all-failure or all-success, so no difference is detectable.
  const z = sePooled === 0 ? 0 : diff / sePooled;
  const pValue = sePooled === 0 ? 1 : twoSidedZPValue(z);
  const seUnpooled = Math.sqrt((pa * (1 - pa)) / a.trials + (pb * (1 - pb)) / b.trials);
  const margin = normalQuantile(1 - alpha / 2) * seUnpooled;
  return { difference: diff, rateA: pa, rateB: pb, z, pValue, ci: { lower: diff - margin, upper: diff + margin, level: 1 - alpha }, alpha, significant: pValue < alpha };
}
