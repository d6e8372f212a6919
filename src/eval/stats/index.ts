export { normalCdf, normalQuantile, studentTCdf, studentTQuantile, twoSidedTPValue, twoSidedZPValue } from './distributions.js';
export { median, quantile, quantileOfSorted, summarize } from './sample-summary.js';
export type { SampleSummary } from './sample-summary.js';
export { DEFAULT_ALPHA, welchTTest, welchTTestFromSummaries } from './welch-t-test.js';
export type { ConfidenceInterval, WelchResult } from './welch-t-test.js';
export { twoProportionZTest } from './two-proportion-z-test.js';
export type { ProportionSample, TwoProportionResult } from './two-proportion-z-test.js';
export { compareContinuous, compareRates, decide, DEFAULT_MIN_SAMPLES_PER_ARM } from './verdict.js';
export type { ContinuousComparison, DecisionOptions, MetricDirection, RateComparison, Verdict } from './verdict.js';
