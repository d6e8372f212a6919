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
export { createHierarchicalRetriever, sectionIdOf, HIERARCHICAL_DEFAULTS, type HierarchicalRetrieverOptions, type HierarchyLevels } from './hierarchical-retriever.js';
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
export { extractQueryFeatures, isQueryType, QUERY_TYPES, type QueryFeatures, type QueryType } from './query-features.js';
export { createMemoryFeedbackLog, completeFeedbackEntry, DEFAULT_FEEDBACK_ENTRIES, type FeedbackLog, type FeedbackEntry, type StrategyPerformance } from './feedback-log.js';
export { openJsonlFeedbackLog, FEEDBACK_FILE_NAME, type JsonlFeedbackLogOptions } from './jsonl-feedback-log.js';
export { openSqlFeedbackLog, RAG_FEEDBACK_MIGRATIONS, type SqlFeedbackLogOptions } from './sql-feedback-log.js';
export { recordQueryFeedback, scoredStrategy } from './query-feedback.js';
export {
  selectStrategy,
  RULE_STRATEGY,
  IDENTIFIER_HYBRID_WEIGHTS,
  type SelectableStrategy,
  type StrategySelection,
  type SelectorOptions,
} from './strategy-selector.js';
