/**
 * Long-term semantic memory: facts stored with their embeddings and recalled by similarity to a
 * query. A fact that says nearly the same as one already stored (cosine ≥ the dedupe threshold)
 * is not stored twice; the existing one is refreshed instead, so memory does not fill with
 * paraphrases of the same thing.
 */
import { randomUUID } from 'node:crypto';
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';
import { cosineSimilarity } from '../../models/embeddings/cosine-similarity.js';
import type { MemoryRecord, MemoryRecordStore } from './memory-record.js';

export const DEFAULT_DEDUPE_THRESHOLD = 0.9;

export interface SemanticMemoryOptions {
  store: MemoryRecordStore;
  embedder: EmbeddingModel;
  /** Cosine similarity at or above which a new fact counts as a duplicate (default 0.9). */
  dedupeThreshold?: number;
  clock?: { now(): number };
}

export interface RememberResult {
  record: MemoryRecord;
  /** True when the fact matched one already stored (then `record` is that one). */
  duplicate: boolean;
  similarity?: number;
}

export interface RecalledFact {
  record: MemoryRecord;
  similarity: number;
}

export interface SemanticMemory {
  remember(scope: string, content: string, options?: { metadata?: Record<string, unknown>; importance?: number; callOptions?: CallOptions }): Promise<RememberResult>;
  /** The `k` facts most similar to `query` (default 3) with similarity ≥ `minSimilarity` (default 0), most similar first. */
  recall(scope: string, query: string, options?: { k?: number; minSimilarity?: number; callOptions?: CallOptions }): Promise<RecalledFact[]>;
  forget(id: string): Promise<boolean>;
}

export function createSemanticMemory(options: SemanticMemoryOptions): SemanticMemory {
  const { store, embedder } = options;
  const threshold = options.dedupeThreshold ?? DEFAULT_DEDUPE_THRESHOLD;
  const clock = options.clock ?? { now: () => Date.now() };

  return {
    async remember(scope, content, opts = {}) {
      const text = content.trim();
      if (text === '') throw new ConduitError('invalid_request', 'A fact to remember must not be empty', { code: 'empty_memory' });
      const importance = opts.importance ?? 0.5;
      checkUnit(importance, 'importance');
      const embedding = await embedOne(embedder, text, opts.callOptions);
      const best = nearest(await store.list('fact', scope), embedding);
      const now = clock.now();
      if (best !== undefined && best.similarity >= threshold) {
        await store.touch([best.record.id], now);
        return { record: { ...best.record, lastAccessedAt: Math.max(best.record.lastAccessedAt, now) }, duplicate: true, similarity: best.similarity };
      }
      const record: MemoryRecord = { id: `fact_${randomUUID()}`, kind: 'fact', scope, content: text, embedding, importance, metadata: opts.metadata ?? {}, createdAt: now, lastAccessedAt: now };
      await store.add(record);
      return { record, duplicate: false };
    },

    async recall(scope, query, opts = {}) {
      const k = opts.k ?? 3;
      const embedding = await embedOne(embedder, query, opts.callOptions);
      const ranked = (await store.list('fact', scope))
        .map((record) => ({ record, similarity: cosineSimilarity(record.embedding, embedding) }))
        .filter((r) => r.similarity >= (opts.minSimilarity ?? 0))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, k);
      await store.touch(ranked.map((r) => r.record.id), clock.now());
      return ranked;
    },

    forget: (id) => store.remove(id),
  };
}

export async function embedOne(embedder: EmbeddingModel, text: string, options?: CallOptions): Promise<number[]> {
  const result = await embedder.embed([text], options);
  const vector = result.embeddings[0];
  if (vector === undefined) throw new ConduitError('provider_error', 'The embedding model returned no vector', { provider: embedder.provider, model: embedder.modelId });
  return vector;
}

function nearest(records: readonly MemoryRecord[], embedding: readonly number[]): { record: MemoryRecord; similarity: number } | undefined {
  let best: { record: MemoryRecord; similarity: number } | undefined;
  for (const record of records) {
    if (record.embedding.length !== embedding.length) continue;
    const similarity = cosineSimilarity(record.embedding, embedding);
    if (best === undefined || similarity > best.similarity) best = { record, similarity };
  }
  return best;
}

export function checkUnit(value: number, name: string): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new ConduitError('invalid_request', `${name} must be in [0, 1], got ${value}`, { code: `invalid_${name}`, param: name });
}
