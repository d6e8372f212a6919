/** The `llamacpp` provider: local GGUF models through node-llama-cpp. */
export { createLlamaCppModel, DEFAULT_MAX_CONTEXT_SIZE, type LlamaCppLanguageModel, type LlamaCppModelInfo } from './llamacpp-model.js';
export type { LlamaCppContextInfo, LlamaCppGpu, LlamaCppModelOptions, LlamaCppPromptFormat } from './options.js';
export { DEFAULT_TEMPERATURE } from './generation.js';
export { assertGgufFile } from './runtime.js';
