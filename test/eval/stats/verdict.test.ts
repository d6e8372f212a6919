import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareContinuous, compareRates, decide } from '../../../src/eval/stats/verdict.js';
import { quantile, summarize } from '../../../src/eval/stats/sample-summary.js';
import { studentTCdf, studentTQuantile } from '../../../src/eval/stats/distributions.js';
import { isConduitError } from '../../../src/core/errors.js';

/** Deterministic "normal-ish" values: mean + sd·(sum of 12 uniforms − 6) from a seeded LCG. */
function sample(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: n }, () => {
    let acc = 0;
    for (let i = 0; i < 12; i++) acc += u();
    return mean + sd * (acc - 6);
  });
}

describe('verdicts', () => {
  test('a clear latency gap with 40 per arm: the lower-latency arm wins', () => {
    const fast = sample(40, 500, 50, 1);
    const slow = sample(40, 700, 50, 2);
    const r = compareContinuous(slow, fast, 'lower_is_better');
    assert.equal(r.verdict.outcome, 'winner');
    assert.equal(r.verdict.outcome === 'winner' && r.verdict.winner, 'b');
    assert.deepEqual(r.warnings, []);
    // Same data, higher is better (e.g. a score): now A wins.
    const h = compareContinuous(slow, fast, 'higher_is_better');
    assert.equal(h.verdict.outcome === 'winner' && h.verdict.winner, 'a');
  });

  test('two arms from the same distribution: "no difference detected"', () => {
    const r = compareContinuous(sample(60, 3.5, 1, 7), sample(60, 3.5, 1, 8), 'higher_is_better');
    assert.ok(r.test !== undefined && !r.test.significant, `p = ${r.test?.pValue}`);
    assert.equal(r.verdict.outcome, 'no_difference');
    assert.equal(r.verdict.summary, 'no difference detected');
  });

  test('below the minimum per arm there is no verdict, however large the gap, and peeking is flagged', () => {
    const r = compareContinuous(sample(10, 500, 10, 3), sample(35, 900, 10, 4), 'lower_is_better');
    assert.ok(r.test?.significant, 'the test itself is significant');
    assert.equal(r.verdict.outcome, 'insufficient_data');
    assert.ok(r.verdict.outcome === 'insufficient_data' && r.verdict.neededA === 20 && r.verdict.neededB === 0);
    assert.match(r.warnings.join('\n'), /Peeking: analysed at 10 of the planned 30/);
  });

  test('a planned size above the minimum: a verdict is given but peeking still warned until the plan is reached', () => {
    const a = sample(50, 500, 50, 5);
    const b = sample(50, 700, 50, 6);
    const early = compareContinuous(a, b, 'lower_is_better', { plannedSamplesPerArm: 200 });
    assert.equal(early.verdict.outcome, 'winner');
    assert.match(early.warnings[0] ?? '', /50 of the planned 200/);
    assert.deepEqual(compareContinuous(a, b, 'lower_is_better', { plannedSamplesPerArm: 50 }).warnings, []);
  });

  test('rates: 45/100 vs 30/100 (p = 0.028) wins at 0.05, not at 0.01', () => {
    const at05 = compareRates({ successes: 45, trials: 100 }, { successes: 30, trials: 100 }, 'higher_is_better');
    assert.equal(at05.verdict.outcome === 'winner' && at05.verdict.winner, 'a');
    const at01 = compareRates({ successes: 45, trials: 100 }, { successes: 30, trials: 100 }, 'higher_is_better', { alpha: 0.01 });
    assert.equal(at01.verdict.outcome, 'no_difference');
    // An error rate (lower is better): the arm with more "successes" (errors) loses.
    const errors = compareRates({ successes: 45, trials: 100 }, { successes: 30, trials: 100 }, 'lower_is_better');
    assert.equal(errors.verdict.outcome === 'winner' && errors.verdict.winner, 'b');
  });

  test('a single value per arm: no test, insufficient data', () => {
    const r = compareContinuous([1], [2], 'higher_is_better');
    assert.equal(r.test, undefined);
    assert.equal(r.verdict.outcome, 'insufficient_data');
  });

  test('bad settings are refused', () => {
    assert.throws(() => decide(40, 40, { significant: true, difference: 1 }, 'higher_is_better', { minSamplesPerArm: 1 }), (e) => isConduitError(e) && e.code === 'invalid_min_samples');
    assert.throws(() => decide(40, 40, { significant: true, difference: 1 }, 'higher_is_better', { minSamplesPerArm: 30, plannedSamplesPerArm: 10 }), (e) => isConduitError(e) && e.code === 'invalid_planned_samples');
  });
});

describe('building blocks against SciPy / NumPy', () => {
  test('t CDF and quantile (scipy.stats.t.cdf(-2, 10) = 0.03669401738537018, t.ppf(0.975, 7.5) = 2.333039626864974)', () => {
    assert.ok(Math.abs(studentTCdf(-2, 10) - 0.03669401738537018) < 1e-12);
    assert.ok(Math.abs(studentTQuantile(0.975, 7.5) - 2.333039626864974) < 1e-9);
  });

  test('percentiles match numpy.percentile (linear): [11, 30, 37.5, 43.5] for p50/p90/p95/p99', () => {
    const x = [12, 3, 7, 45, 9, 21, 5, 18, 30, 2, 11];
    assert.deepEqual([0.5, 0.9, 0.95, 0.99].map((q) => Number(quantile(x, q).toFixed(10))), [11, 30, 37.5, 43.5]);
  });

  test('summarize: Welford mean and sample variance', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.equal(s.n, 8);
    assert.equal(s.mean, 5);
    assert.ok(Math.abs(s.variance - 32 / 7) < 1e-12);
  });
});
