import { runLanguageModelConformance } from './language-model-suite.js';
import { startFakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { createOpenAICompatibleModel } from '../../src/models/providers/openai-compatible/index.js';

runLanguageModelConformance({
  name: 'openai-compatible (vllm)',
  startUpstream: () => startFakeOpenAI(),
  createModel: (baseURL, settings) =>
    createOpenAICompatibleModel({ baseURL, modelId: 'meta-llama/Llama-3.1-8B-Instruct', provider: 'vllm', idleTimeoutMs: settings.idleTimeoutMs }),
  features: { cachedInputTokens: true, reasoningTokens: true, reasoningText: true },
});
