/**
 * The adaptive selector's memory: one entry per judged query — the query, its type, the strategy
 * used and how well it did (a score in [0, 1]: an eval metric, a user rating, a judge's grade). The
 * store is an interface so the service can persist it (jsonl-feedback-log.ts beside embedded
 * collections, sql-feedback-log.ts beside PostgreSQL ones); the in-memory log keeps the most recent
 * `maxEntries` (default 10,000) and can be loaded from / dumped to plain entries.
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
  /** A person's remark with a rating. */
  comment?: string;
  at: string;
}

export const DEFAULT_FEEDBACK_ENTRIES = 10_000;

/** The entry as stored: validated score, timestamp filled in. Bad input changes nothing. */
export function completeFeedbackEntry(entry: Omit<FeedbackEntry, 'at'> & { at?: string }): FeedbackEntry {
  if (typeof entry.score !== 'number' || !(entry.score >= 0 && entry.score <= 1)) {
    throw new ConduitError('invalid_request', `Feedback score must be in [0, 1], got ${entry.score}`, { code: 'invalid_feedback', param: 'score' });
  }
  if (typeof entry.strategy !== 'string' || entry.strategy === '') {
    throw new ConduitError('invalid_request', 'Feedback needs the strategy it scores', { code: 'invalid_feedback', param: 'strategy' });
  }
  return { ...entry, at: entry.at ?? new Date().toISOString() };
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
  const maxEntries = options.maxEntries ?? DEFAULT_FEEDBACK_ENTRIES;
  const log: FeedbackEntry[] = [...(options.entries ?? [])].slice(-maxEntries);
  return {
    async record(entry) {
      log.push(completeFeedbackEntry(entry));
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
