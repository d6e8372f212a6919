export { DEFAULT_CAPACITY_ASSUMPTIONS, maxThroughput, planCapacity } from './littles-law.js';
export type { CapacityAssumptions, CapacityInput, CapacityPlan } from './littles-law.js';
export { measureTraffic, metricsUrl, parseMetricTotals } from './measure-traffic.js';
export type { MeasureOptions, MeasuredTraffic, MetricTotals } from './measure-traffic.js';
