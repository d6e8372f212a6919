/** RAG query transformations: multi-query, HyDE, decomposition (multi-hop DAG), conversational rewriting. */
export { generateQueryVariants, createMultiQueryRetriever, DEFAULT_QUERY_VARIANTS, type QueryVariantsOptions, type MultiQueryRetrieverOptions } from './multi-query.js';
export { generateHypotheticalDocument, createHydeRetriever, type HypotheticalDocumentOptions, type HydeRetrieverOptions } from './hyde.js';
export {
  decomposeQuestion,
  splitQuestionHeuristically,
  answerByDecomposition,
  type DecomposeOptions,
  type DecompositionOptions,
  type DecompositionResult,
  type SubQuestionResult,
} from './decomposition.js';
export { orderSubQuestions, substituteFindings, MAX_SUB_QUESTIONS, type QueryPlan, type SubQuestion } from './query-plan.js';
export { rewriteFollowUp, looksLikeFollowUp, type ConversationTurn, type RewriteOptions, type RewriteResult } from './conversational-rewrite.js';
export { RagUsageMeter, type RagUsage } from './rag-usage.js';
export { canGenerate } from './model-availability.js';
