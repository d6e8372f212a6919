/**
 * The adaptive selector's memory: one entry per judged query — the query, its type, the strategy
 * used and how well it did (a score in [0, 1]: an eval metric, a user rating, a judge's grade). The
 * store is an interface so the service can persist it (SQL, a JSONL file); the in-memory log keeps
 * the most recent `maxEntries` (default 10,000) and can be loaded from / dumped to plain entries.
 */
import { ConduitError } from '../../core/errors.js';
import type { QueryType } from './query-features.js';

export interface FeedbackEntry {
  query: string;
  queryType: QueryType;
  strategy: string;
  /** In [0, 1]; higher is better. */
  score: number;
  /** What happened, free text (e.g. `insufficient_context`, `user_rating`). */
  outcome?: string;
  at: string;
}

export interface StrategyPerformance {
  strategy: string;
  count: number;
  meanScore: number;
}

export interface FeedbackLog {
  record(entry: Omit<FeedbackEntry, 'at'> & { at?: string }): Promise<void>;
  /** Mean score per strategy for one query type. */
  performance(queryType: QueryType): Promise<StrategyPerformance[]>;
  entries(): Promise<FeedbackEntry[]>;
}

export function createMemoryFeedbackLog(options: { maxEntries?: number; entries?: readonly FeedbackEntry[] } = {}): FeedbackLog {
  const maxEntries = options.maxEntries ?? 10_000;
  const log: FeedbackEntry[] = [...(options.entries ?? [])].slice(-maxEntries);
  return {
    async record(entry) {
      if (!(entry.score >= 0 && entry.score <= 1)) {
        throw new ConduitError('invalid_request', `Feedback score must be in [0, 1], got ${entry.score}`, { code: 'invalid_feedback', param: 'score' });
      }
      log.push({ ...entry, at: entry.at ?? new Date().toISOString() });
      if (log.length > maxEntries) log.splice(0, log.length - maxEntries);
    },
    async performance(queryType) {
      const byStrategy = new Map<string, { count: number; total: number }>();
      for (const e of log) {
        if (e.queryType !== queryType) continue;
        const s = byStrategy.get(e.strategy) ?? { count: 0, total: 0 };
        s.count++;
        s.total += e.score;
        byStrategy.set(e.strategy, s);
      }
      return [...byStrategy].map(([strategy, s]) => ({ strategy, count: s.count, meanScore: s.total / s.count }));
    },
    async entries() {
      return [...log];
    },
  };
}
