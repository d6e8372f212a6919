export type {
  FailMode,
  LimitCheck,
  LimitCheckResult,
  LimitDecision,
  LimitMetric,
  LimitScope,
  LimitTarget,
  LimitTicket,
  RateLimiter,
} from './types.js';
export { DEFAULT_WINDOW_MS } from './limit-check.js';
export { EmbeddedRateLimiter, type EmbeddedRateLimiterOptions } from './embedded-rate-limiter.js';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { rateLimitHeaders, rateLimitHeaderPairs, formatResetDuration, tightestCheck } from './headers.js';
export {
  RunawayDetector,
  type RunawayIncident,
  type RunawayOptions,
  type RunawayVerdict,
} from './runaway.js';
export {
  EmbeddedEmergencyStop,
  RedisEmergencyStop,
  emergencyStopError,
  type EmergencyStop,
  type EmergencyStopState,
  type RedisEmergencyStopOptions,
} from './emergency-stop.js';
