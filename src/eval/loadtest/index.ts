export { chatCompletionsUrl, DEFAULT_TIMEOUT_MS, validateLoadOptions } from './load-options.js';
export type { LoadMode, LoadTestOptions } from './load-options.js';
export { estimateCapacity, littlesLawConcurrency, littlesLawRate } from './little-law.js';
export type { CapacityEstimate } from './little-law.js';
export { probe } from './request-probe.js';
export type { ProbeResult, ProbeTarget } from './request-probe.js';
export { latencyStats, runLoadTest } from './run-load-test.js';
export type { LatencyStats, LoadTestReport, RunHooks } from './run-load-test.js';
export { formatLoadReport, loadReportJson } from './load-report.js';
