/**
 * OpenTelemetry GenAI semantic-convention attribute names (semconv `gen_ai.*`), plus Conduit's own.
 * Both `gen_ai.system` (older) and `gen_ai.provider.name` (current) are written so backends of
 * either vintage group spans by provider.
 */
export const GenAI = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTopP: 'gen_ai.request.top_p',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  /** Captured only when the key opted in: JSON of the request messages / the output. */
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  agentName: 'gen_ai.agent.name',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  dataSourceId: 'gen_ai.data_source.id',
} as const;

export const ConduitAttr = {
  costUsd: 'conduit.cost_usd',
  keyId: 'conduit.key_id',
  keyName: 'conduit.key_name',
  team: 'conduit.team',
  requestId: 'conduit.request_id',
  cache: 'conduit.cache',
  stream: 'conduit.stream',
  overheadMs: 'conduit.overhead_ms',
  timeToFirstTokenMs: 'conduit.time_to_first_token_ms',
  cachedInputTokens: 'conduit.usage.cached_input_tokens',
  reasoningTokens: 'conduit.usage.reasoning_tokens',
} as const;
