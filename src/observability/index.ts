export { GatewayMetrics, createGatewayMetrics, TOKEN_TYPES } from './metrics.js';
export type { GatewayMetricsOptions, TokenType } from './metrics.js';
export { FastHistogram } from './fast-histogram.js';
export { createLogger, REDACT_PATHS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
