export { createOpenAICompatibleModel } from './compatible-model.js';
export type { OpenAICompatibleModelOptions, OpenAICompatibleQuirks } from './compatible-model.js';
export { createOpenAIEmbeddingModel as createOpenAICompatibleEmbeddingModel, listOpenAIModels as listOpenAICompatibleModels } from '../openai/index.js';
