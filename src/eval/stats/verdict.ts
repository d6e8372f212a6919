/**
 * From a test result to a decision, with the guards that keep A/B tests honest: no verdict below
 * the minimum sample size per arm, a warning when results are looked at before the planned sample
 * size (peeking inflates false positives), and a winner only when the difference is significant —
 * anything else is "no difference detected", never "B is slightly better".
 */
import { ConduitError } from '../../core/errors.js';
import { summarize } from './sample-summary.js';
import { DEFAULT_ALPHA, welchTTest, type WelchResult } from './welch-t-test.js';
import { twoProportionZTest, type ProportionSample, type TwoProportionResult } from './two-proportion-z-test.js';

export const DEFAULT_MIN_SAMPLES_PER_ARM = 30;

export type MetricDirection = 'higher_is_better' | 'lower_is_better';

export interface DecisionOptions {
  /** Significance level; default 0.05. */
  alpha?: number;
  /** No verdict while either arm has fewer samples; default 30. */
  minSamplesPerArm?: number;
  /** The sample size per arm planned before the test started; looking earlier warns of peeking. Default: minSamplesPerArm. */
  plannedSamplesPerArm?: number;
}

export type Verdict =
  | { outcome: 'winner'; winner: 'a' | 'b'; summary: string }
  | { outcome: 'no_difference'; summary: string }
  | { outcome: 'insufficient_data'; summary: string; neededA: number; neededB: number };

export interface ContinuousComparison {
  kind: 'continuous';
  direction: MetricDirection;
  nA: number;
  nB: number;
  meanA: number;
  meanB: number;
  /** Undefined when an arm has fewer than 2 values (no variance to test with). */
  test: WelchResult | undefined;
  verdict: Verdict;
  warnings: string[];
}

export interface RateComparison {
  kind: 'rate';
  direction: MetricDirection;
  nA: number;
  nB: number;
  rateA: number;
  rateB: number;
  test: TwoProportionResult | undefined;
  verdict: Verdict;
  warnings: string[];
}

/** Welch's t-test between arms a and b, then the verdict. */
export function compareContinuous(a: readonly number[], b: readonly number[], direction: MetricDirection, options: DecisionOptions = {}): ContinuousComparison {
  const sa = summarize(a);
  const sb = summarize(b);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const test = sa.n >= 2 && sb.n >= 2 ? welchTTest(a, b, alpha) : undefined;
  const { verdict, warnings } = decide(sa.n, sb.n, test === undefined ? undefined : { significant: test.significant, difference: test.meanDifference }, direction, options);
  return { kind: 'continuous', direction, nA: sa.n, nB: sb.n, meanA: sa.mean, meanB: sb.mean, test, verdict, warnings };
}

/** The two-proportion z-test between arms a and b, then the verdict. */
export function compareRates(a: ProportionSample, b: ProportionSample, direction: MetricDirection, options: DecisionOptions = {}): RateComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const test = a.trials >= 1 && b.trials >= 1 ? twoProportionZTest(a, b, alpha) : undefined;
  const { verdict, warnings } = decide(a.trials, b.trials, test === undefined ? undefined : { significant: test.significant, difference: test.difference }, direction, options);
  return {
    kind: 'rate',
    direction,
    nA: a.trials,
    nB: b.trials,
    rateA: a.trials === 0 ? Number.NaN : a.successes / a.trials,
    rateB: b.trials === 0 ? Number.NaN : b.successes / b.trials,
    test,
    verdict,
    warnings,
  };
}

/** The verdict for arms of sizes nA and nB given a test outcome (difference = a − b). */
export function decide(
  nA: number,
  nB: number,
  test: { significant: boolean; difference: number } | undefined,
  direction: MetricDirection,
  options: DecisionOptions = {},
): { verdict: Verdict; warnings: string[] } {
  const minimum = options.minSamplesPerArm ?? DEFAULT_MIN_SAMPLES_PER_ARM;
  const planned = options.plannedSamplesPerArm ?? minimum;
  if (!Number.isInteger(minimum) || minimum < 2) throw new ConduitError('invalid_request', `The minimum sample size per arm must be an integer ≥ 2, got ${minimum}`, { code: 'invalid_min_samples' });
  if (!Number.isInteger(planned) || planned < minimum) {
    throw new ConduitError('invalid_request', `The planned sample size per arm must be an integer ≥ the minimum (${minimum}), got ${planned}`, { code: 'invalid_planned_samples' });
  }
  const warnings: string[] = [];
  const smallest = Math.min(nA, nB);
  if (smallest < planned) {
    warnings.push(
      `Peeking: analysed at ${smallest} of the planned ${planned} samples per arm. Repeated looks at an unfinished test inflate the false-positive rate; decide only once every arm reaches the planned size.`,
    );
  }
  if (nA < minimum || nB < minimum || test === undefined) {
    const neededA = Math.max(0, minimum - nA);
    const neededB = Math.max(0, minimum - nB);
    return { verdict: { outcome: 'insufficient_data', summary: `insufficient data: need ${neededA} more in A and ${neededB} more in B (minimum ${minimum} per arm)`, neededA, neededB }, warnings };
  }
  if (!test.significant || test.difference === 0) return { verdict: { outcome: 'no_difference', summary: 'no difference detected' }, warnings };
  const aIsHigher = test.difference > 0;
  const winner = aIsHigher === (direction === 'higher_is_better') ? 'a' : 'b';
  return { verdict: { outcome: 'winner', winner, summary: `${winner.toUpperCase()} wins` }, warnings };
}
