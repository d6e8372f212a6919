/** The reliability layer: deadlines, retries, circuit breakers, routing, fallback, health checks, stream failover. */
export * from './attempt-plan.js';
export * from './attempt-scope.js';
export * from './clock.js';
export * from './error-policy.js';
export * from './fallback.js';
export * from './generate-failover.js';
export * from './health-checks.js';
export * from './retry-budget.js';
export * from './router.js';
export * from './strategies.js';
export * from './routing/index.js';
export * from './stream-failover.js';
export * from './stream-interrupted-error.js';
export * from '../middleware/circuit-breaker.js';
export * from '../middleware/deadline.js';
export * from '../middleware/retry.js';
