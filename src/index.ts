// Public entry point of the `conduit` package: the model layer, its middleware and the gateway.
export * from './core/messages.js';
export * from './core/usage.js';
export * from './core/errors.js';
export * from './models/language-model.js';
export * from './models/wrap-language-model.js';
export { createOpenAIModel, createOpenAIEmbeddingModel, listOpenAIModels } from './models/providers/openai/index.js';
export { createOpenAICompatibleModel } from './models/providers/openai-compatible/index.js';
export { createAnthropicModel } from './models/providers/anthropic/index.js';
export { createLlamaCppModel } from './models/providers/llamacpp/index.js';
export { createOfflineModel, OFFLINE_MESSAGE } from './models/providers/offline/index.js';
export { formatPrompt, type PromptFormatName } from './models/templates/index.js';
export { createDefaultEmbeddingModel, cosineSimilarity } from './models/embeddings/index.js';
export { tokenizerFor, countMessageTokens, type Tokenizer } from './models/tokenizer/index.js';
export { createPriceTable, computeCost, type ModelPrice, type PriceTable } from './models/pricing/index.js';
export { costMiddleware } from './middleware/cost.js';
export { withRetry, type RetryOptions } from './middleware/retry.js';
export { CircuitBreaker, withCircuitBreaker, type CircuitBreakerOptions } from './middleware/circuit-breaker.js';
export { withDeadline, deadlineFromHeader } from './middleware/deadline.js';
export { createRouter, createFallbackChain, startHealthChecks, StreamInterruptedError, createRetryBudget } from './reliability/index.js';
export {
  costAwareRouting,
  complexityRouting,
  complexityClassifier,
  createSensitivityGate,
  parseRoutingHeaders,
  formatRouteReason,
  ROUTE_REASON_HEADER,
  type RoutingPolicy,
  type RouteDecision,
  type RoutingHints,
  type RoutingCallOptions,
} from './reliability/routing/index.js';
export { createModelRegistry, type ModelRegistry } from './models/registry/index.js';
export { loadConfig, ConfigError, type ConduitConfig } from './config/index.js';
export { createGateway, type GatewayOptions, type Gateway } from './gateway/index.js';
export { GatewayMetrics, createLogger } from './observability/index.js';

// Higher layers, namespaced so their helper names never collide.
export { generateObject, streamObject, StructuredOutputError, createDeadLetterQueue } from './structured/index.js';
export * as structured from './structured/index.js';
export * as reasoning from './reasoning/index.js';
export * as prompting from './prompting/index.js';
export * as guardrails from './guardrails/index.js';
export * as cache from './cache/index.js';
export * as ratelimit from './ratelimit/index.js';
export * as budgets from './budgets/index.js';
export * as ledger from './ledger/index.js';
export * as audit from './audit/index.js';
export * as auth from './auth/index.js';
export * as store from './store/index.js';
export * as mcp from './mcp/index.js';
