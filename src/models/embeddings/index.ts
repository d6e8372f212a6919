export {
  createDefaultEmbeddingModel,
  loadDefaultEmbeddingModel,
  DEFAULT_EMBEDDING_PROVIDER,
  DEFAULT_EMBEDDING_MODEL_ID,
  DEFAULT_EMBEDDING_DIMENSIONS,
} from './default-embedding-model.js';
export { cosineSimilarity } from './cosine-similarity.js';
