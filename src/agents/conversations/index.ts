/** Conversations: append-only threads, token-budgeted context assembly, history summaries and one-turn replies. */
export {
  CONVERSATION_ID_PATTERN,
  type Conversation,
  type ConversationMessage,
  type ConversationRole,
  type ConversationStore,
  type NewConversation,
  type NewConversationMessage,
  type CachedSummary,
  type SummaryCache,
} from './conversation-store.js';
export { createSqlConversationStore, createLazyConversationStore, CONVERSATION_MIGRATIONS, type SqlConversationStoreOptions } from './sql-conversation-store.js';
export {
  assembleContext,
  DEFAULT_LAYER_POLICIES,
  type ContextLayerName,
  type LayerPolicy,
  type ContextInput,
  type AssembleContextOptions,
  type AssembledContext,
  type LayerReport,
  type LayerOutcome,
} from './context-assembler.js';
export {
  createModelSummariser,
  createExtractiveSummariser,
  truncateToTokens,
  SUMMARY_INSTRUCTIONS,
  type HistorySummariser,
  type SummariseInput,
} from './history-summariser.js';
export {
  runConversationTurn,
  replyIdFor,
  ERASED_PLACEHOLDER,
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_RESERVE_TOKENS,
  type ConversationTurnInput,
  type ConversationTurnOptions,
  type ConversationTurnResult,
} from './conversation-turn.js';
