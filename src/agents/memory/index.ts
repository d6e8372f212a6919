/** Agent memory: long-term semantic facts, episodes with importance and recency, and per-run working memory. */
export { type MemoryKind, type MemoryRecord, type MemoryRecordStore } from './memory-record.js';
export { createInMemoryRecordStore } from './in-memory-record-store.js';
export { createSqlRecordStore, MEMORY_MIGRATIONS } from './sql-record-store.js';
export {
  createSemanticMemory,
  DEFAULT_DEDUPE_THRESHOLD,
  type SemanticMemory,
  type SemanticMemoryOptions,
  type RememberResult,
  type RecalledFact,
} from './semantic-memory.js';
export { createEpisodicMemory, DEFAULT_RECENCY_HALF_LIFE_MS, type EpisodicMemory, type EpisodicMemoryOptions, type RetrievedEpisode } from './episodic-memory.js';
export { heuristicImportance, createModelImportanceRater, IMPORTANCE_INSTRUCTIONS, type ImportanceRater } from './importance.js';
export { WorkingMemory, DEFAULT_WORKING_MEMORY_ENTRIES, DEFAULT_WORKING_MEMORY_CHARS, type WorkingMemoryOptions } from './working-memory.js';
