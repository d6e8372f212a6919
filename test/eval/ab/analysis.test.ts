import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeExperiment } from '../../../src/eval/ab/analysis.js';
import { analysisJson, formatAnalysis } from '../../../src/eval/ab/analysis-report.js';
import { defineExperiment } from '../../../src/eval/ab/experiment.js';
import type { ArmObservations } from '../../../src/eval/ab/experiment-store.js';

// Wikipedia's Welch example 1 (SciPy: t = −2.4553563983, df = 24.9885292902, p = 0.0213780015).
const A = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const B = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

function arm(variantId: string, scores: number[], extra: Partial<ArmObservations> = {}): ArmObservations {
  const n = scores.length;
  return { variantId, requests: n, errors: 0, latencyMs: scores.map((s) => s * 10), totalTokens: scores.map(() => 100), costUsd: [], scores, thumbsUp: 0, thumbsTotal: 0, ...extra };
}

describe('experiment analysis', () => {
  test('a variant scoring significantly higher than the control wins, with the reference t, df and p', () => {
    const e = defineExperiment({ id: 'x', variants: [{ id: 'v', share: 50, model: 'm' }], min_samples_per_arm: 15 });
    const a = analyzeExperiment(e, [arm('control', A), arm('v', B)]);
    const score = a.comparisons.find((c) => c.metric === 'score')!;
    assert.equal(score.result.kind, 'continuous');
    const t = score.result.kind === 'continuous' ? score.result.test! : undefined;
    // Variant − control = B − A: the sign flips, df and p do not.
    assert.equal(t?.t.toFixed(4), '2.4554');
    assert.equal(t?.df.toFixed(4), '24.9885');
    assert.equal(t?.pValue.toFixed(4), '0.0214');
    assert.deepEqual(a.outcome, { outcome: 'winner', winner: 'v', summary: "'v' beats the control on score" });
    // Latency is score × 10 here: higher for v, so v is significantly worse on latency.
    const latency = a.comparisons.find((c) => c.metric === 'latency_ms')!;
    assert.deepEqual(latency.result.verdict.outcome === 'winner' && latency.result.verdict.winner, 'b');
    // Constant tokens: no difference.
    assert.equal(a.comparisons.find((c) => c.metric === 'total_tokens')!.result.verdict.outcome, 'no_difference');
    assert.deepEqual(a.warnings, []);
    const text = formatAnalysis(a);
    assert.match(text, /Experiment x: 'v' beats the control on score/);
    assert.match(text, /t=2\.4554 +24\.99 +0\.0214 +v better/);
    const json = JSON.parse(analysisJson(a)) as { primary_metric: string; arms: { latency_ms: { mean: number } }[]; comparisons: { result: { test: { p_value: number } | null } }[] };
    assert.equal(json.primary_metric, 'score');
    assert.ok(json.comparisons.some((c) => c.result.test !== null && Math.abs(c.result.test.p_value - 0.021378) < 1e-6));
  });

  test('with three variants each test runs at alpha/3 (Bonferroni): p = 0.0214 > 0.0167 is then no longer a win', () => {
    const e = defineExperiment({ id: 'x', variants: [{ id: 'v', share: 30, model: 'm' }, { id: 'w', share: 30, model: 'n' }, { id: 'y', share: 30, model: 'o' }], min_samples_per_arm: 15 });
    const a = analyzeExperiment(e, [arm('control', A), arm('v', B), arm('w', A), arm('y', A)]);
    assert.ok(Math.abs(a.comparisonAlpha - 0.05 / 3) < 1e-12);
    assert.deepEqual(a.outcome, { outcome: 'no_difference', summary: 'no difference detected' });
    assert.match(a.warnings.join(' '), /Bonferroni/);
  });

  test('thumbs-up rate as the primary metric uses the two-proportion test (45/100 vs 30/100, z = 2.1909)', () => {
    const e = defineExperiment({ id: 'x', variants: [{ id: 'v', share: 50, model: 'm' }], primary_metric: 'thumbs_up_rate' });
    const a = analyzeExperiment(e, [arm('control', A, { thumbsUp: 30, thumbsTotal: 100 }), arm('v', B, { thumbsUp: 45, thumbsTotal: 100 })]);
    const c = a.comparisons.find((x) => x.metric === 'thumbs_up_rate')!;
    assert.equal(c.result.kind === 'rate' ? c.result.test?.z.toFixed(4) : undefined, '2.1909');
    assert.equal(a.outcome.outcome, 'winner');
  });

  test('an arm with no traffic yet: insufficient data, and the peeking warning', () => {
    const e = defineExperiment({ id: 'x', variants: [{ id: 'v', share: 50, model: 'm' }] });
    const a = analyzeExperiment(e, [arm('control', A)]);
    assert.equal(a.outcome.outcome, 'insufficient_data');
    assert.equal(a.arms.find((x) => x.id === 'v')?.requests, 0);
    assert.match(a.warnings[0] ?? '', /Peeking: analysed at 0 of the planned 30/);
  });
});
