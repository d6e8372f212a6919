/** RAG retrieval: vector, keyword, hybrid (weighted RRF by default, or score fusion), MMR, reranking (LLM judge or any Reranker), parent expansion. */
export { createVectorRetriever, type VectorRetrieverOptions } from './vector-retriever.js';
export { createKeywordRetriever, type KeywordRetrieverOptions } from './keyword-retriever.js';
export {
  reciprocalRankFusion,
  weightedScoreFusion,
  normalise,
  DEFAULT_RRF_K,
  type RankedList,
  type RrfOptions,
  type WeightedFusionOptions,
  type ScoreNormalization,
} from './fusion.js';
export { createHybridRetriever, DEFAULT_HYBRID_WEIGHTS, DEFAULT_HYBRID_FUSION, type HybridRetrieverOptions, type HybridFusion } from './hybrid-retriever.js';
export { createMmrRetriever, selectMmr, DEFAULT_MMR_LAMBDA, type MmrRetrieverOptions } from './mmr-retriever.js';
export { createRerankingRetriever, type RerankingRetrieverOptions } from './reranking-retriever.js';
export { createLlmReranker, type LlmRerankerOptions } from './llm-reranker.js';
export { createParentExpansionRetriever, type ParentExpansionOptions } from './parent-expansion-retriever.js';
export { toUnitVector, dot, embedTexts, embedQuery } from './embedding-utils.js';
export { tokenize, stem, contentTerms, termCoverage } from './query-terms.js';
export { validateRetrievalRequest } from './validate-request.js';
export { scorePassages, lexicalRelevance, type RelevanceScores } from './passage-relevance.js';
export { createRelevanceReranker, type RelevanceRerankerOptions } from './relevance-reranker.js';
