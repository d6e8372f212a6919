/**
 * The ingestion pipeline: documents → chunks → embeddings → index, doing only the work that
 * changed. Every chunk's text is hashed (sha256, `contentHash`):
 *
 * - a document whose chunks (ids, hashes, metadata) are all already stored is skipped: no embedding
 *   call, no write;
 * - a changed document is rewritten; embeddings of chunks whose text was already stored for it are
 *   read back from the index instead of recomputed, identical texts within the run are embedded
 *   once, and chunks that no longer exist are removed;
 * - new texts are embedded in batches (`batchSize`, default 64) and unit-normalised before storing.
 *
 * With `summaries`, each document also gets one chunk of kind `summary` (see document-summary.ts)
 * that takes part in the same change detection: it is rebuilt only when the document's chunks
 * changed, and its embedding is reused when its text did not.
 *
 * All documents are validated, chunked and compared before anything is written, so bad input
 * changes nothing. Writes then go document by document: an embedding failure part-way leaves the
 * documents already written complete and the rest untouched, and re-running resumes the work.
 */
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';
import type { Chunker } from '../chunkers/chunker.js';
import type { Chunk, ChunkIndex, IndexedChunk, RagDocument } from '../types.js';
import { contentHash } from './content-hash.js';
import { summarizeDocument, summaryChunkId, type SummaryOptions } from './document-summary.js';
import type { IngestProgress, IngestSummary } from './ingest-summary.js';
import { unitVector } from './unit-vector.js';

export const DEFAULT_EMBEDDING_BATCH_SIZE = 64;
/** Embedding work gathered before writing: a few batches, so progress is steady and memory bounded. */
const TEXTS_PER_WRITE_GROUP_FACTOR = 8;
/** Chunks per upsert call. */
const UPSERT_BATCH = 512;

export interface IngestOptions {
  index: ChunkIndex;
  embedder: EmbeddingModel;
  chunker: Chunker;
  documents: readonly RagDocument[];
  /** Texts per embedding call (default 64). */
  batchSize?: number;
  onProgress?: IngestProgress;
  /** Rewrite (and re-embed) every document even when unchanged. */
  force?: boolean;
  /**
   * One `summary` chunk per document for hierarchical retrieval: `true` for extractive summaries,
   * or options (a `model` writes them). Default off here; the RAG service turns it on.
   */
  summaries?: boolean | SummaryOptions;
  signal?: AbortSignal;
}

interface DocumentPlan {
  document: RagDocument;
  chunks: Chunk[];
  hashes: string[];
  /** What the index held for the document before this run: chunk id → content hash. */
  stored: Map<string, string>;
}

export async function ingestDocuments(options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const { index, embedder, chunker, documents, onProgress } = options;
  const batchSize = options.batchSize ?? DEFAULT_EMBEDDING_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConduitError('invalid_request', `batchSize must be a positive integer (got ${batchSize})`, { code: 'invalid_batch_size', param: 'batchSize' });
  }
  validateDocuments(documents);
  const summaryOptions = options.summaries === true ? {} : options.summaries === false ? undefined : options.summaries;
  const summary: IngestSummary = { documents: documents.length, chunks: 0, embedded: 0, reused: 0, skipped: 0, updated: 0, written: 0, deleted: 0, embeddingTokens: 0, seconds: 0, embeddingSeconds: 0 };

  // 1. Chunk and compare with the index (reads only).
  const changed: DocumentPlan[] = [];
  onProgress?.(0, documents.length, 'chunk');
  for (const [i, document] of documents.entries()) {
    throwIfAborted(options.signal);
    const chunks = [...(await chunker.chunk(document))];
    checkChunks(document, chunks);
    const stored = await index.documentHashes(document.id);
    if (summaryOptions !== undefined) {
      const summaryId = summaryChunkId(document.id);
      const reuse = !options.force && stored.has(summaryId) ? (await index.getChunks([summaryId]))[0] : undefined;
      const leafHashes = chunks.map((c) => contentHash(c.text));
      chunks.push(await summarizeDocument(document, chunks, leafHashes, { ...summaryOptions, reuse, ...(options.signal ? { signal: options.signal } : {}) }));
      checkChunks(document, chunks);
    }
    summary.chunks += chunks.length;
    const hashes = chunks.map((c) => contentHash(c.text));
    if (!options.force && (await isUnchanged(index, chunks, hashes, stored))) summary.skipped++;
    else changed.push({ document, chunks, hashes, stored });
    onProgress?.(i + 1, documents.length, 'chunk');
  }

  // 2. Where each needed embedding comes from: the index (same text already stored for the document) or the model.
  const vectors = new Map<string, Float32Array>();
  const usesLeft = new Map<string, number>();
  for (const plan of changed) for (const hash of plan.hashes) usesLeft.set(hash, (usesLeft.get(hash) ?? 0) + 1);
  if (!options.force) {
    for (const plan of changed) {
      const idByHash = new Map<string, string>();
      for (const [id, hash] of plan.stored) if (usesLeft.has(hash) && !vectors.has(hash)) idByHash.set(hash, id);
      if (idByHash.size === 0) continue;
      const embeddings = await index.getEmbeddings([...idByHash.values()]);
      for (const [hash, id] of idByHash) {
        const embedding = embeddings.get(id);
        if (embedding) vectors.set(hash, embedding);
      }
    }
  }
  const toEmbedTotal = new Set(changed.flatMap((p) => p.hashes).filter((h) => !vectors.has(h))).size;

  // 3. Embed and write, a few batches' worth of documents at a time.
  onProgress?.(0, toEmbedTotal, 'embed');
  if (changed.length > 0) onProgress?.(0, changed.length, 'write');
  let expectedDimensions = embedder.dimensions;
  let group: DocumentPlan[] = [];
  let groupTexts = new Map<string, string>();
  const flush = async (): Promise<void> => {
    const pending = [...groupTexts];
    for (let start = 0; start < pending.length; start += batchSize) {
      throwIfAborted(options.signal);
      const batch = pending.slice(start, start + batchSize);
      const t0 = performance.now();
      const callOptions: CallOptions = options.signal ? { signal: options.signal } : {};
      const result = await embedder.embed(batch.map(([, text]) => text), callOptions);
      summary.embeddingSeconds += (performance.now() - t0) / 1000;
      summary.embeddingTokens += result.usage.inputTokens;
      if (result.embeddings.length !== batch.length) {
        throw new ConduitError('provider_error', `The embedding model returned ${result.embeddings.length} vectors for ${batch.length} texts`, {
          provider: embedder.provider,
          model: embedder.modelId,
          retryable: false,
        });
      }
      batch.forEach(([hash], k) => {
        const vector = unitVector(result.embeddings[k] ?? [], embedder);
        expectedDimensions ??= vector.length;
        if (vector.length !== expectedDimensions) {
          throw new ConduitError('provider_error', `The embedding model returned ${vector.length} dimensions, expected ${expectedDimensions}`, {
            code: 'embedding_dimensions',
            provider: embedder.provider,
            model: embedder.modelId,
            retryable: false,
          });
        }
        vectors.set(hash, vector);
      });
      summary.embedded += batch.length;
      onProgress?.(summary.embedded, toEmbedTotal, 'embed');
    }
    for (const plan of group) {
      throwIfAborted(options.signal);
      await writeDocument(index, plan, vectors, summary);
      for (const hash of plan.hashes) {
        const left = (usesLeft.get(hash) ?? 1) - 1;
        if (left > 0) usesLeft.set(hash, left);
        else {
          usesLeft.delete(hash);
          vectors.delete(hash);
        }
      }
      summary.updated++;
      onProgress?.(summary.updated, changed.length, 'write');
    }
    group = [];
    groupTexts = new Map();
  };
  for (const plan of changed) {
    group.push(plan);
    plan.chunks.forEach((chunk, k) => {
      const hash = plan.hashes[k] ?? '';
      if (!vectors.has(hash)) groupTexts.set(hash, chunk.text);
    });
    if (groupTexts.size >= batchSize * TEXTS_PER_WRITE_GROUP_FACTOR) await flush();
  }
  await flush();
  summary.reused = summary.written - summary.embedded;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** Removes every chunk of a document; returns how many were removed. */
export function deleteDocument(index: ChunkIndex, documentId: string): Promise<number> {
  return index.deleteDocument(documentId);
}

async function writeDocument(index: ChunkIndex, plan: DocumentPlan, vectors: Map<string, Float32Array>, summary: IngestSummary): Promise<void> {
  const rows: IndexedChunk[] = plan.chunks.map((chunk, k) => {
    const hash = plan.hashes[k] ?? '';
    const embedding = vectors.get(hash);
    if (!embedding) throw new ConduitError('internal', `No embedding for chunk ${chunk.id}`);
    return { ...chunk, embedding, contentHash: hash };
  });
  const newIds = new Set(plan.chunks.map((c) => c.id));
  const stale = [...plan.stored.keys()].filter((id) => !newIds.has(id));
  // Upsert replaces by id; only when some old ids disappear must the document be cleared first
  // (the ChunkIndex contract has no per-chunk delete), which keeps the gap with no chunks rare.
  if (stale.length > 0) await index.deleteDocument(plan.document.id);
  for (let start = 0; start < rows.length; start += UPSERT_BATCH) await index.upsert(rows.slice(start, start + UPSERT_BATCH));
  summary.deleted += stale.length;
  summary.written += rows.length;
}

/** Same chunk ids with the same hashes, and the same metadata, parent and kind as stored. */
async function isUnchanged(index: ChunkIndex, chunks: readonly Chunk[], hashes: readonly string[], stored: Map<string, string>): Promise<boolean> {
  if (stored.size !== chunks.length) return false;
  if (!chunks.every((c, k) => stored.get(c.id) === hashes[k])) return false;
  // Text is unchanged; metadata (front matter, caller tags) may not be, and would go stale if skipped.
  const storedChunks = await index.getChunks(chunks.map((c) => c.id));
  if (storedChunks.length !== chunks.length) return false;
  return storedChunks.every((s, k) => fingerprint(s) === fingerprint(chunks[k]));
}

function fingerprint(chunk: Chunk | undefined): string {
  if (!chunk) return '';
  const metadata = Object.keys(chunk.metadata)
    .sort()
    .map((key) => [key, chunk.metadata[key]]);
  return JSON.stringify([chunk.id, chunk.index, chunk.parentId ?? null, chunk.kind ?? 'chunk', metadata]);
}

function validateDocuments(documents: readonly RagDocument[]): void {
  const seen = new Set<string>();
  for (const document of documents) {
    if (typeof document.id !== 'string' || document.id.length === 0 || document.id.includes('#')) {
      throw new ConduitError('invalid_request', `Invalid document id '${String(document.id)}': it must be non-empty and contain no '#'`, { code: 'invalid_document_id', param: 'id' });
    }
    if (seen.has(document.id)) throw new ConduitError('invalid_request', `The document id '${document.id}' appears twice`, { code: 'duplicate_document_id', param: 'id' });
    seen.add(document.id);
    if (typeof document.text !== 'string' || document.text.trim().length === 0) {
      throw new ConduitError('invalid_request', `The document '${document.id}' has no text to index`, { code: 'empty_document' });
    }
  }
}

function checkChunks(document: RagDocument, chunks: readonly Chunk[]): void {
  if (chunks.length === 0) throw new ConduitError('invalid_request', `The document '${document.id}' has no text to index`, { code: 'empty_document' });
  const ids = new Set<string>();
  for (const chunk of chunks) {
    if (chunk.documentId !== document.id || ids.has(chunk.id)) {
      throw new ConduitError('internal', `The chunker produced an inconsistent chunk '${chunk.id}' for document '${document.id}'`);
    }
    ids.add(chunk.id);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ConduitError('cancelled', 'Ingestion was cancelled', { cause: signal.reason });
}
