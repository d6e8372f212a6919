/**
 * Episodic memory: what happened (an interaction, a run's outcome), each episode with an
 * importance in [0, 1] — given, rated by a model, or estimated by the heuristic — and retrieved by
 * relevance × importance × recency. Recency decays exponentially with the time since the episode
 * was last accessed (half-life 7 days by default), so old episodes fade unless they keep being used.
 */
import { randomUUID } from 'node:crypto';
import { ConduitError } from '../../core/errors.js';
import type { CallOptions, EmbeddingModel } from '../../models/language-model.js';
import { cosineSimilarity } from '../../models/embeddings/cosine-similarity.js';
import { heuristicImportance, type ImportanceRater } from './importance.js';
import type { MemoryRecord, MemoryRecordStore } from './memory-record.js';
import { checkUnit, embedOne } from './semantic-memory.js';

export const DEFAULT_RECENCY_HALF_LIFE_MS = 7 * 24 * 3_600_000;

export interface EpisodicMemoryOptions {
  store: MemoryRecordStore;
  embedder: EmbeddingModel;
  /** Rates episodes recorded without an importance (default: the heuristic). */
  rateImportance?: ImportanceRater;
  recencyHalfLifeMs?: number;
  clock?: { now(): number };
}

export interface RetrievedEpisode {
  record: MemoryRecord;
  /** Cosine similarity to the query, clipped at 0. */
  relevance: number;
  importance: number;
  /** 0.5^(age / half-life), age counted from the last access. */
  recency: number;
  /** relevance × importance × recency. */
  score: number;
}

export interface EpisodicMemory {
  record(scope: string, content: string, options?: { importance?: number; metadata?: Record<string, unknown>; callOptions?: CallOptions }): Promise<MemoryRecord>;
  /** The `k` best episodes (default 3) by score, best first; `minScore` (default 0) drops weak ones. */
  retrieve(scope: string, query: string, options?: { k?: number; minScore?: number; callOptions?: CallOptions }): Promise<RetrievedEpisode[]>;
}

export function createEpisodicMemory(options: EpisodicMemoryOptions): EpisodicMemory {
  const { store, embedder } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const halfLife = options.recencyHalfLifeMs ?? DEFAULT_RECENCY_HALF_LIFE_MS;
  const rate: ImportanceRater = options.rateImportance ?? (async (content) => heuristicImportance(content));

  return {
    async record(scope, content, opts = {}) {
      const text = content.trim();
      if (text === '') throw new ConduitError('invalid_request', 'An episode must not be empty', { code: 'empty_memory' });
      const importance = opts.importance ?? (await rate(text, opts.callOptions));
      checkUnit(importance, 'importance');
      const embedding = await embedOne(embedder, text, opts.callOptions);
      const now = clock.now();
      const record: MemoryRecord = { id: `episode_${randomUUID()}`, kind: 'episode', scope, content: text, embedding, importance, metadata: opts.metadata ?? {}, createdAt: now, lastAccessedAt: now };
      await store.add(record);
      return record;
    },

    async retrieve(scope, query, opts = {}) {
      const embedding = await embedOne(embedder, query, opts.callOptions);
      const now = clock.now();
      const ranked = (await store.list('episode', scope))
        .map((record): RetrievedEpisode => {
          const relevance = Math.max(0, cosineSimilarity(record.embedding, embedding));
          const recency = Math.pow(0.5, Math.max(0, now - record.lastAccessedAt) / halfLife);
          return { record, relevance, importance: record.importance, recency, score: relevance * record.importance * recency };
        })
        .filter((e) => e.score >= (opts.minScore ?? 0))
        .sort((a, b) => b.score - a.score)
        .slice(0, opts.k ?? 3);
      await store.touch(ranked.map((e) => e.record.id), now);
      return ranked;
    },
  };
}
