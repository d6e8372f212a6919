/**
 * The shared LanguageModel conformance suite, run against the Anthropic adapter and the fake
 * Anthropic upstream (which renders every scenario in the Messages API's wire format and rejects
 * requests the real API would reject).
 */
import { createAnthropicModel } from '../../src/models/providers/anthropic/index.js';
import { startFakeAnthropic } from '../fake-upstream/anthropic-upstream.js';
import { runLanguageModelConformance } from './language-model-suite.js';

runLanguageModelConformance({
  name: 'anthropic',
  startUpstream: () => startFakeAnthropic(),
  createModel: (baseURL, settings) =>
    createAnthropicModel({ modelId: 'claude-sonnet-4-5', baseURL, apiKey: 'test-anthropic-key', idleTimeoutMs: settings.idleTimeoutMs }),
  // Anthropic reports cache reads and writes, thinking tokens (output_tokens_details.thinking_tokens)
  // and visible thinking text.
  features: { cachedInputTokens: true, cacheWriteTokens: true, reasoningTokens: true, reasoningText: true },
});
