/**
 * Ingestion for the service: src/rag/ingest's pipeline plus what the API reports per document —
 * whether it was added, updated or unchanged, and how many chunks it has now — read from the index
 * before and after (two hash lookups per document, no embedding).
 */
import type { EmbeddingModel } from '../../models/language-model.js';
import type { Chunker } from '../chunkers/index.js';
import { ingestDocuments, type SummaryOptions } from '../ingest/index.js';
import type { ChunkIndex, RagDocument } from '../types.js';
import type { EngineIngestSummary, EngineProgress } from './rag-engine.js';

export interface EngineIngestOptions {
  index: ChunkIndex;
  documents: readonly RagDocument[];
  chunker: Chunker;
  embedder: EmbeddingModel;
  /** Document summaries for hierarchical retrieval (see ingest/document-summary.ts). */
  summaries?: boolean | SummaryOptions;
  onProgress?: (progress: EngineProgress) => void;
  signal?: AbortSignal;
}

export async function ingestWithChunker(options: EngineIngestOptions): Promise<EngineIngestSummary> {
  const { index, documents } = options;
  const before = await Promise.all(documents.map((d) => index.documentHashes(d.id)));
  const summary = await ingestDocuments({
    index,
    documents,
    chunker: options.chunker,
    embedder: options.embedder,
    ...(options.summaries !== undefined ? { summaries: options.summaries } : {}),
    ...(options.onProgress ? { onProgress: (done: number, total: number, phase: EngineProgress['phase']) => options.onProgress?.({ phase, done, total }) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const after = await Promise.all(documents.map((d) => index.documentHashes(d.id)));
  const perDocument = documents.map((d, i) => {
    const old = before[i] ?? new Map<string, string>();
    const now = after[i] ?? new Map<string, string>();
    const status: 'added' | 'updated' | 'unchanged' = old.size === 0 ? 'added' : sameHashes(old, now) ? 'unchanged' : 'updated';
    return { id: d.id, chunks: now.size, status };
  });
  return {
    documents: summary.documents,
    chunks: summary.chunks,
    embedded: summary.embedded,
    unchanged: summary.skipped,
    seconds: summary.seconds,
    embeddingSeconds: summary.embeddingSeconds,
    perDocument,
  };
}

function sameHashes(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, hash] of a) if (b.get(id) !== hash) return false;
  return true;
}
