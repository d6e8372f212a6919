/**
 * The analysis of an experiment: per-arm descriptive metrics, and every variant tested against
 * the control on each metric — Welch's t-test for continuous metrics (latency, tokens, cost,
 * feedback score), the two-proportion z-test for rates (thumbs-up, errors). With several variants
 * each comparison runs at alpha / k (Bonferroni), so the chance of any false winner stays ≤ alpha.
 * The experiment's winner is decided on its primary metric only, and only when significant.
 */
import { quantile } from '../stats/sample-summary.js';
import { compareContinuous, compareRates, type ContinuousComparison, type MetricDirection, type RateComparison } from '../stats/verdict.js';
import type { Arm, Experiment, MetricName } from './experiment.js';
import { CONTROL_VARIANT_ID } from './experiment.js';
import type { ArmObservations } from './experiment-store.js';

export const METRIC_DIRECTIONS: Record<MetricName, MetricDirection> = {
  score: 'higher_is_better',
  thumbs_up_rate: 'higher_is_better',
  latency_ms: 'lower_is_better',
  total_tokens: 'lower_is_better',
  cost_usd: 'lower_is_better',
  error_rate: 'lower_is_better',
};

const METRICS = Object.keys(METRIC_DIRECTIONS) as MetricName[];

export interface ArmSummary {
  id: string;
  share: number;
  prompt?: string;
  model?: string;
  requests: number;
  errors: number;
  latencyMs: { mean: number; p50: number; p95: number };
  meanTotalTokens: number;
  meanCostUsd: number;
  feedback: { scores: number; meanScore: number; thumbs: number; thumbsUpRate: number };
}

export interface MetricComparison {
  variant: string;
  metric: MetricName;
  /** Variant is arm A, control is arm B: differences are variant − control. */
  result: ContinuousComparison | RateComparison;
}

export type ExperimentOutcome =
  | { outcome: 'winner'; winner: string; summary: string }
  | { outcome: 'no_difference'; summary: string }
  | { outcome: 'insufficient_data'; summary: string };

export interface ExperimentAnalysis {
  experiment: string;
  primaryMetric: MetricName;
  alpha: number;
  /** alpha / number of variants. */
  comparisonAlpha: number;
  minSamplesPerArm: number;
  plannedSamplesPerArm: number;
  arms: ArmSummary[];
  comparisons: MetricComparison[];
  outcome: ExperimentOutcome;
  warnings: string[];
}

export function analyzeExperiment(experiment: Experiment, observations: readonly ArmObservations[]): ExperimentAnalysis {
  const obsOf = (id: string): ArmObservations =>
    observations.find((o) => o.variantId === id) ?? { variantId: id, requests: 0, errors: 0, latencyMs: [], totalTokens: [], costUsd: [], scores: [], thumbsUp: 0, thumbsTotal: 0 };
  const [control, ...variants] = experiment.arms;
  const controlObs = obsOf(control?.id ?? CONTROL_VARIANT_ID);
  const comparisonAlpha = experiment.alpha / Math.max(1, variants.length);
  const options = { alpha: comparisonAlpha, minSamplesPerArm: experiment.minSamplesPerArm, plannedSamplesPerArm: experiment.plannedSamplesPerArm };

  const comparisons: MetricComparison[] = [];
  for (const variant of variants) {
    const v = obsOf(variant.id);
    for (const metric of METRICS) {
      const direction = METRIC_DIRECTIONS[metric];
      const result =
        metric === 'thumbs_up_rate'
          ? compareRates({ successes: v.thumbsUp, trials: v.thumbsTotal }, { successes: controlObs.thumbsUp, trials: controlObs.thumbsTotal }, direction, options)
          : metric === 'error_rate'
            ? compareRates({ successes: v.errors, trials: v.requests }, { successes: controlObs.errors, trials: controlObs.requests }, direction, options)
            : compareContinuous(valuesOf(v, metric), valuesOf(controlObs, metric), direction, options);
      comparisons.push({ variant: variant.id, metric, result });
    }
  }

  const warnings = [...new Set(comparisons.filter((c) => c.metric === experiment.primaryMetric).flatMap((c) => c.result.warnings))];
  if (variants.length > 1) warnings.push(`${variants.length} variants are each tested against the control at alpha/${variants.length} = ${round(comparisonAlpha, 4)} (Bonferroni).`);
  return {
    experiment: experiment.id,
    primaryMetric: experiment.primaryMetric,
    alpha: experiment.alpha,
    comparisonAlpha,
    minSamplesPerArm: experiment.minSamplesPerArm,
    plannedSamplesPerArm: experiment.plannedSamplesPerArm,
    arms: experiment.arms.map((arm) => summarizeArm(arm, obsOf(arm.id))),
    comparisons,
    outcome: decideExperiment(experiment, comparisons),
    warnings,
  };
}

function valuesOf(o: ArmObservations, metric: 'score' | 'latency_ms' | 'total_tokens' | 'cost_usd'): number[] {
  switch (metric) {
    case 'score':
      return o.scores;
    case 'latency_ms':
      return o.latencyMs;
    case 'total_tokens':
      return o.totalTokens;
    case 'cost_usd':
      return o.costUsd;
  }
}

/** A variant wins when it beats the control significantly on the primary metric (the best such one); the control wins when it beats every variant. */
function decideExperiment(experiment: Experiment, comparisons: readonly MetricComparison[]): ExperimentOutcome {
  const primary = comparisons.filter((c) => c.metric === experiment.primaryMetric);
  if (primary.some((c) => c.result.verdict.outcome === 'insufficient_data')) {
    return { outcome: 'insufficient_data', summary: `insufficient data on ${experiment.primaryMetric} (minimum ${experiment.minSamplesPerArm} per arm)` };
  }
  const direction = METRIC_DIRECTIONS[experiment.primaryMetric];
  const better = (x: number, y: number): boolean => (direction === 'higher_is_better' ? x > y : x < y);
  const centre = (c: MetricComparison): number => (c.result.kind === 'rate' ? c.result.rateA : c.result.meanA);
  let best: MetricComparison | undefined;
  for (const c of primary) {
    const v = c.result.verdict;
    if (v.outcome === 'winner' && v.winner === 'a' && (best === undefined || better(centre(c), centre(best)))) best = c;
  }
  if (best !== undefined) return { outcome: 'winner', winner: best.variant, summary: `'${best.variant}' beats the control on ${experiment.primaryMetric}` };
  if (primary.length > 0 && primary.every((c) => c.result.verdict.outcome === 'winner')) {
    return { outcome: 'winner', winner: CONTROL_VARIANT_ID, summary: `the control beats every variant on ${experiment.primaryMetric}` };
  }
  return { outcome: 'no_difference', summary: 'no difference detected' };
}

function summarizeArm(arm: Arm, o: ArmObservations): ArmSummary {
  const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);
  return {
    id: arm.id,
    share: arm.share,
    ...(arm.prompt === undefined ? {} : { prompt: arm.prompt }),
    ...(arm.model === undefined ? {} : { model: arm.model }),
    requests: o.requests,
    errors: o.errors,
    latencyMs: { mean: mean(o.latencyMs), p50: quantile(o.latencyMs, 0.5), p95: quantile(o.latencyMs, 0.95) },
    meanTotalTokens: mean(o.totalTokens),
    meanCostUsd: mean(o.costUsd),
    feedback: { scores: o.scores.length, meanScore: mean(o.scores), thumbs: o.thumbsTotal, thumbsUpRate: o.thumbsTotal === 0 ? Number.NaN : o.thumbsUp / o.thumbsTotal },
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
