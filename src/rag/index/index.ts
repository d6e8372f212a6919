/**
 * The RAG index layer: CollectionStore / ChunkIndex adapters (see src/rag/types.ts).
 * - `createMemoryCollectionStore()`: in memory, nothing persisted (tests, throwaway work).
 * - `openEmbeddedCollectionStore({ dir })`: embedded and persisted (default `.conduit/rag`).
 * - `openPostgresCollectionStore({ db })`: PostgreSQL with pgvector + full-text search.
 */
export {
  createMemoryCollectionStore,
  openEmbeddedCollectionStore,
  EmbeddedCollectionStore,
  DEFAULT_RAG_DIR,
  type MemoryCollectionStoreOptions,
  type EmbeddedCollectionStoreOptions,
} from './embedded/embedded-collection-store.js';
export { EmbeddedChunkIndex, type EmbeddedIndexOptions } from './embedded/embedded-chunk-index.js';
export { DEFAULT_ANN_OPTIONS, type AnnOptions } from './vector/ann-index.js';
export { matchesFilter, matchesKinds, validateFilter } from './metadata-filter.js';
export { tokenize, queryTerms, ENGLISH_STOP_WORDS } from './keyword/tokenizer.js';
export { assertCollectionName } from './collection-name.js';
export { MAX_TOP_K } from './validate-input.js';
export { openPostgresCollectionStore, type PostgresCollectionStoreOptions } from './postgres/postgres-collection-store.js';
export { RAG_INDEX_MIGRATIONS } from './postgres/migrations.js';
