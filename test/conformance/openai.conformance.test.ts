import { runLanguageModelConformance } from './language-model-suite.js';
import { startFakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { createOpenAIModel } from '../../src/models/providers/openai/index.js';

runLanguageModelConformance({
  name: 'openai',
  startUpstream: () => startFakeOpenAI(),
  createModel: (baseURL, settings) => createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL, apiKey: 'sk-test', idleTimeoutMs: settings.idleTimeoutMs }),
  features: { cachedInputTokens: true, reasoningTokens: true, reasoningText: true },
});
