/** RAG ingestion: documents → chunks → embeddings (batched, cached by content hash) → ChunkIndex. */
export { ingestDocuments, deleteDocument, DEFAULT_EMBEDDING_BATCH_SIZE, type IngestOptions } from './ingest-documents.js';
export { formatIngestSummary, type IngestSummary, type IngestPhase, type IngestProgress } from './ingest-summary.js';
export { contentHash } from './content-hash.js';
export { unitVector } from './unit-vector.js';
export {
  summarizeDocument,
  extractiveSummary,
  summaryChunkId,
  DEFAULT_SUMMARY_TOKENS,
  type SummaryOptions,
  type SummaryMethod,
} from './document-summary.js';
