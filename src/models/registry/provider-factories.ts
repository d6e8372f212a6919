/**
 * The constructors the registry builds models with. A seam, so tests can count constructions or
 * substitute fakes; production uses the real provider adapters.
 */
import type { EmbeddingModel, LanguageModel } from '../language-model.js';
import { createOpenAIModel, createOpenAIEmbeddingModel } from '../providers/openai/index.js';
import { createOpenAICompatibleModel } from '../providers/openai-compatible/index.js';
import { createAnthropicModel } from '../providers/anthropic/index.js';
import type { LlamaCppModelOptions } from '../providers/llamacpp/index.js';
import { createOfflineModel } from '../providers/offline/index.js';
import { createDefaultEmbeddingModel } from '../embeddings/index.js';
import { createLazyLlamaCppModel } from './lazy-llamacpp.js';

export type OpenAIModelFactoryOptions = Parameters<typeof createOpenAIModel>[0];
export type OpenAIEmbeddingFactoryOptions = Parameters<typeof createOpenAIEmbeddingModel>[0];
export type OpenAICompatibleFactoryOptions = Parameters<typeof createOpenAICompatibleModel>[0];
export type AnthropicFactoryOptions = Parameters<typeof createAnthropicModel>[0];
export type LlamaCppFactoryOptions = LlamaCppModelOptions;

export interface ProviderFactories {
  openai(options: OpenAIModelFactoryOptions): LanguageModel;
  openaiEmbedding(options: OpenAIEmbeddingFactoryOptions): EmbeddingModel;
  openaiCompatible(options: OpenAICompatibleFactoryOptions): LanguageModel;
  anthropic(options: AnthropicFactoryOptions): LanguageModel;
  /** Must not load the model (or node-llama-cpp) at construction: resolving a name must stay cheap. */
  llamacpp(options: LlamaCppFactoryOptions): LanguageModel;
  offline(): LanguageModel;
  defaultEmbedding(): EmbeddingModel;
}

export const defaultProviderFactories: ProviderFactories = {
  openai: createOpenAIModel,
  openaiEmbedding: createOpenAIEmbeddingModel,
  openaiCompatible: createOpenAICompatibleModel,
  anthropic: createAnthropicModel,
  llamacpp: createLazyLlamaCppModel,
  offline: () => createOfflineModel(),
  defaultEmbedding: createDefaultEmbeddingModel,
};
