/**
 * Reference values come from SciPy 1.17.1, computed outside this project:
 *   scipy.stats.ttest_ind(a, b, equal_var=False)            → t, p (and .df)
 *   (va+vb)^2 / (va^2/(na-1) + vb^2/(nb-1))                  → Welch–Satterthwaite df
 *   diff ± scipy.stats.t.ppf(0.975, df) * sqrt(va + vb)      → 95% CI
 * Samples A/B are Wikipedia's "Welch's t-test" example 1 (published t = −2.46, df = 24.99, p = 0.021).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { welchTTest, welchTTestFromSummaries } from '../../../src/eval/stats/welch-t-test.js';
import { summarize } from '../../../src/eval/stats/sample-summary.js';
import { isConduitError } from '../../../src/core/errors.js';

const A = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const B = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
const C = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
const D = [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8];
const E = [1.2, 0.8, 1.5, 2.2, 0.9, 1.1, 1.4, 1.9, 0.7, 1.3, 1.6, 1.0];
const F = [2.9, 0.5, 3.8, 1.1, 4.2, 0.3, 2.7, 3.3, 1.8, 0.6, 2.2, 3.9, 1.4, 2.6];

const REFERENCE = [
  { name: 'A vs B (equal sizes)', a: A, b: B, t: -2.4553563983, df: 24.9885292902, p: 0.0213780015, diff: -2.1666666667, lo: -3.9840962671, hi: -0.3492370662 },
  { name: 'C vs D (unequal sizes and variances)', a: C, b: D, t: -1.5654335236, df: 9.9047412487, p: 0.1488416966, diff: -1.525, lo: -3.6984213254, hi: 0.6484213254 },
  { name: 'E vs F (skewed spread)', a: E, b: F, t: -2.4913813219, df: 16.4025147032, p: 0.0237818577, diff: -0.9357142857, lo: -1.7303244172, hi: -0.1411041543 },
];

function close(actual: number, expected: number, decimals: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -decimals, `${what}: ${actual} ≠ ${expected} to ${decimals} decimals`);
}

describe("Welch's t-test against SciPy", () => {
  for (const r of REFERENCE) {
    test(r.name, () => {
      const res = welchTTest(r.a, r.b);
      close(res.t, r.t, 6, 't');
      close(res.df, r.df, 6, 'df');
      close(res.pValue, r.p, 6, 'p');
      close(res.meanDifference, r.diff, 8, 'difference');
      close(res.ci.lower, r.lo, 6, 'ci lower');
      close(res.ci.upper, r.hi, 6, 'ci upper');
      assert.equal(res.ci.level, 0.95);
      assert.equal(res.significant, r.p < 0.05);
    });
  }

  test('swapping the arms flips t and the interval, keeps df and p', () => {
    const ab = welchTTest(A, B);
    const ba = welchTTest(B, A);
    close(ba.t, -ab.t, 10, 't');
    close(ba.df, ab.df, 10, 'df');
    close(ba.pValue, ab.pValue, 12, 'p');
    close(ba.ci.lower, -ab.ci.upper, 10, 'ci');
  });

  test('a stricter alpha turns a significant result (p = 0.0214) into a non-significant one and widens the interval', () => {
    const at01 = welchTTest(A, B, 0.01);
    assert.equal(at01.significant, false);
    assert.ok(at01.ci.upper > 0 && at01.ci.lower < -3.98, 'the 99% interval covers 0');
  });

  test('summaries give the same result as raw values', () => {
    const fromSummaries = welchTTestFromSummaries(summarize(C), summarize(D));
    const raw = welchTTest(C, D);
    close(fromSummaries.t, raw.t, 12, 't');
    close(fromSummaries.pValue, raw.pValue, 12, 'p');
  });

  test('constant arms: equal means give p = 1, unequal means p = 0', () => {
    assert.equal(welchTTest([3, 3, 3], [3, 3]).pValue, 1);
    const diff = welchTTest([3, 3, 3], [4, 4]);
    assert.equal(diff.pValue, 0);
    assert.equal(diff.t, Number.NEGATIVE_INFINITY);
  });

  test('fewer than 2 values in an arm, a bad alpha or a non-finite value is refused', () => {
    assert.throws(() => welchTTest([1], [1, 2, 3]), (e) => isConduitError(e) && e.code === 'insufficient_samples');
    assert.throws(() => welchTTest(A, B, 0), (e) => isConduitError(e) && e.code === 'invalid_alpha');
    assert.throws(() => welchTTest([1, Number.NaN, 2], B), (e) => isConduitError(e) && e.code === 'invalid_sample');
  });
});
