/** Guardrails: prompt-injection detection, PII protection, content filter and output checks, as a library and as model middleware. */
export * from './normalise.js';
export * from './injection.js';
export { INJECTION_RULE_SPECS, type InjectionCategory, type InjectionRuleSpec } from './injection-rules.js';
export * from './pii.js';
export * from './pii-actions.js';
export * from './pii-request.js';
export * from './request-text.js';
export * from './content.js';
export * from './policy.js';
export * from './middleware.js';
