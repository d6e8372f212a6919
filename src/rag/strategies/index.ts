/** Advanced RAG strategies and the pipeline entry point (createRagPipeline / ragQuery). */
export {
  createRagPipeline,
  ragQuery,
  isRagStrategy,
  RAG_STRATEGIES,
  DEFAULT_RAG_STRATEGY,
  DEFAULT_RAG_TOP_K,
  type RagStrategyName,
  type RagPipeline,
  type RagPipelineOptions,
  type RagQueryRequest,
  type RagRetrieval,
  type RagFeedback,
  type RagTrace,
  type PipelineAnswer,
} from './rag-pipeline.js';
export { createHierarchicalRetriever, HIERARCHICAL_DEFAULTS, type HierarchicalRetrieverOptions, type HierarchyLevels } from './hierarchical-retriever.js';
export {
  correctiveRetrieve,
  createCorrectiveRetriever,
  DEFAULT_CORRECTIVE_THRESHOLD,
  type CorrectiveOptions,
  type CorrectiveResult,
  type ChunkGrade,
} from './corrective-retrieval.js';
export { createModelGrader, createLexicalGrader, UNGRADED_SCORE, type RelevanceGrader, type ModelGraderOptions } from './relevance-grader.js';
export { selfReflectiveAnswer, MAX_REFLECTION_ROUNDS, type SelfReflectiveOptions, type SelfReflectiveResult, type ReflectionRound } from './self-reflective.js';
export { extractQueryFeatures, type QueryFeatures, type QueryType } from './query-features.js';
export { createMemoryFeedbackLog, type FeedbackLog, type FeedbackEntry, type StrategyPerformance } from './feedback-log.js';
export {
  selectStrategy,
  RULE_STRATEGY,
  IDENTIFIER_HYBRID_WEIGHTS,
  type SelectableStrategy,
  type StrategySelection,
  type SelectorOptions,
} from './strategy-selector.js';
