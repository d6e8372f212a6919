/**
 * The seam between the RAG service (collections, validation, HTTP/CLI shapes) and the RAG
 * machinery it composes (chunking + embedding + indexing; retrieval strategies; answering).
 * `createDefaultRagEngine` binds it to src/rag/ingest, src/rag/strategies and src/rag/answer; the
 * benchmark passes its own fusion weights through the same options.
 */
import type { FeedbackEntry, RagFeedback } from '../strategies/index.js';
import type { ChunkIndex, MetadataFilter, RagAnswer, RagDocument, RetrievedChunk } from '../types.js';

export interface EngineIngestSummary {
  /** Documents given. */
  documents: number;
  /** Chunks the documents have now (unchanged ones included). */
  chunks: number;
  /** Chunk texts that had to be embedded (new or changed content). */
  embedded: number;
  /** Documents whose content was unchanged (no embedding, no write). */
  unchanged: number;
  seconds: number;
  /** Of which waiting for the embedding model. */
  embeddingSeconds: number;
  /** Per document: its id, how many chunks it has now, and what happened to it. */
  perDocument: { id: string; chunks: number; status: 'added' | 'updated' | 'unchanged' }[];
}

/** `chunk`: documents chunked and compared; `embed`: chunk texts embedded; `write`: documents written. */
export interface EngineProgress {
  phase: 'chunk' | 'embed' | 'write';
  done: number;
  total: number;
}

export interface EngineQuery {
  query: string;
  strategy: string;
  topK: number;
  filter?: MetadataFilter;
  signal?: AbortSignal;
}

export interface RagEngine {
  /** Strategy names `retrieve`/`answer` accept; the first is the fallback default. */
  readonly strategies: readonly string[];
  ingest(index: ChunkIndex, documents: readonly RagDocument[], options?: { onProgress?: (p: EngineProgress) => void; signal?: AbortSignal }): Promise<EngineIngestSummary>;
  /** Ranked chunks only (evaluation, debugging): no answer is generated. */
  retrieve(index: ChunkIndex, query: EngineQuery): Promise<RetrievedChunk[]>;
  answer(index: ChunkIndex, query: EngineQuery): Promise<RagAnswer>;
  /** Scores a strategy's outcome for a query so `adaptive` learns (absent: the engine does not learn). */
  recordFeedback?(feedback: RagFeedback): Promise<FeedbackEntry>;
}
