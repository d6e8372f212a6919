/**
 * Reference values computed with SciPy 1.17.1 from the textbook formulas:
 *   pooled p = (s1+s2)/(n1+n2); z = (p1−p2)/sqrt(p(1−p)(1/n1+1/n2)); p = 2·norm.sf(|z|)
 *   CI = (p1−p2) ± norm.ppf(0.975)·sqrt(p1(1−p1)/n1 + p2(1−p2)/n2)
 * (statsmodels' proportions_ztest gives the same z and p for these inputs.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { twoProportionZTest } from '../../../src/eval/stats/two-proportion-z-test.js';
import { isConduitError } from '../../../src/core/errors.js';

const REFERENCE = [
  { a: { successes: 45, trials: 100 }, b: { successes: 30, trials: 100 }, z: 2.19089023, p: 0.0284597369, lo: 0.0174304933, hi: 0.2825695067 },
  { a: { successes: 120, trials: 1000 }, b: { successes: 150, trials: 1000 }, z: -1.9630498076, p: 0.0496403869, lo: -0.0599239712, hi: -0.0000760288 },
  { a: { successes: 9, trials: 40 }, b: { successes: 14, trials: 38 }, z: -1.3884707597, p: 0.1649937426, lo: -0.3440922367, hi: 0.0572501315 },
];

function close(actual: number, expected: number, decimals: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 0.5 * 10 ** -decimals, `${what}: ${actual} ≠ ${expected} to ${decimals} decimals`);
}

describe('two-proportion z-test against SciPy', () => {
  for (const r of REFERENCE) {
    test(`${r.a.successes}/${r.a.trials} vs ${r.b.successes}/${r.b.trials}`, () => {
      const res = twoProportionZTest(r.a, r.b);
      close(res.z, r.z, 7, 'z');
      close(res.pValue, r.p, 7, 'p');
      close(res.ci.lower, r.lo, 7, 'ci lower');
      close(res.ci.upper, r.hi, 7, 'ci upper');
      assert.equal(res.significant, r.p < 0.05);
    });
  }

  test('all-success arms: no difference is detectable (p = 1)', () => {
    const res = twoProportionZTest({ successes: 10, trials: 10 }, { successes: 20, trials: 20 });
    assert.equal(res.pValue, 1);
    assert.equal(res.significant, false);
  });

  test('impossible counts are refused', () => {
    assert.throws(() => twoProportionZTest({ successes: 11, trials: 10 }, { successes: 1, trials: 2 }), (e) => isConduitError(e) && e.code === 'invalid_sample');
    assert.throws(() => twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 2 }), (e) => isConduitError(e) && e.code === 'invalid_sample');
  });
});
