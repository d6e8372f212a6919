export {
  createAnthropicModel,
  anthropicMessagesURL,
  DEFAULT_ANTHROPIC_BASE_URL,
  DEFAULT_ANTHROPIC_VERSION,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  type AnthropicModelOptions,
} from './anthropic-model.js';
export {
  ANTHROPIC_PROVIDER,
  THINKING_BUDGET_TOKENS,
  defaultMaxTokensFor,
  toAnthropicRequest,
  toAnthropicMessages,
  toAnthropicTool,
  toAnthropicToolChoice,
  type AnthropicRequestContext,
} from './request-mapping.js';
export { fromAnthropicResponse, mapStopReason, mapUsage, type AnthropicGenerateOutput } from './response-mapping.js';
export { AnthropicStreamDecoder } from './stream-decoder.js';
export { anthropicErrorKind, mapAnthropicHttpError, mapAnthropicStreamError, parseAnthropicErrorBody, type AnthropicErrorInfo } from './error-mapping.js';
export type * from './wire-types.js';
