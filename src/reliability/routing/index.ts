/** Request-aware routing: cost-aware, complexity-based and data-sensitivity routing for router aliases. */
export * from './route-decision.js';
export * from './request-signals.js';
export * from './complexity-rules.js';
export * from './complexity-policy.js';
export * from './cost-estimate.js';
export * from './cost-policy.js';
export * from './data-sensitivity.js';
export * from './routing-headers.js';
export * from './alias-strategies.js';
