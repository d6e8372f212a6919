// The issue-3 checks of the report: the policy stack against bare Conduit (added mean latency at
// the high rate) and against Portkey (throughput), computed from the same run's figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FixedRateResult } from './fixed-rate.js';
import { policyChecks, policySummary, type TargetResult } from './report.js';
import type { TargetName } from './targets.js';
import type { ThroughputResult } from './throughput.js';

function fixedRate(mean: number): FixedRateResult {
  const latency = { count: 100, p50: mean, p90: mean, p99: mean, mean, max: mean };
  return { rate: 1000, sent: 100, ok: 100, errors: 0, errorExamples: [], latency, achievedRps: 1000, meanDispatchLagMs: 0, maxDispatchLagMs: 0 };
}

function throughput(rps: number): ThroughputResult {
  return { requests2xx: rps, non2xx: 0, errors: 0, timeouts: 0, durationSec: 1, rps, latency: { p50: 1, p99: 1, mean: 1, max: 1 } };
}

function target(name: TargetName, meanMs: number, rps: number): TargetResult {
  return { name, available: true, notes: [], streamingAvailable: false, fixedRate: { '1000': fixedRate(meanMs) }, throughput: throughput(rps) };
}

function run(policiesMeanMs: number, policiesRps: number): TargetResult[] {
  return [target('direct', 1, 20_000), target('conduit', 1.5, 8000), target('conduit-policies', policiesMeanMs, policiesRps), target('portkey', 6, 1000)];
}

describe('policy-stack checks', () => {
  test('pass when the policies add at most twice bare Conduit and beat Portkey 6x', () => {
    // bare Conduit adds 0.5 ms, the policies 1.0 ms (= 2x); 6000 / 1000 = 6x.
    const checks = policyChecks(run(2, 6000), 1000);
    assert.deepEqual(checks.map((c) => c.pass), [true, true]);
    assert.match(checks[0]!.detail, /\+1\.00 ms vs bare Conduit \+0\.50 ms/);
    assert.match(checks[1]!.detail, /^6\.0x/);
  });

  test('fail when either bound is missed', () => {
    const checks = policyChecks(run(2.1, 5999), 1000);
    assert.deepEqual(checks.map((c) => c.pass), [false, false]);
  });

  test('not evaluated when a target is missing, and the summary needs both Conduit targets', () => {
    const results = run(2, 6000).filter((r) => r.name !== 'portkey');
    assert.deepEqual(policyChecks(results, 1000).map((c) => c.pass), [true, null]);
    assert.match(policySummary(results, 1000) ?? '', /6000 req\/s vs 8000 req\/s \(75% of bare Conduit\)/);
    assert.equal(policySummary(results.filter((r) => r.name !== 'conduit'), 1000), undefined);
  });
});
