/**
 * The adaptive selector's feedback log in SQL (the SqlDatabase port: embedded PGlite or
 * PostgreSQL) — the companion of the PostgreSQL collection store, so every replica of
 * `conduit serve` and every `conduit rag` run share one history. Scores are aggregated in the
 * database (`avg`/`count` per strategy for a query type) over the newest `maxEntries` rows.
 */
import type { SqlDatabase } from '../../store/sql.js';
import { runMigrations, type Migration } from '../../store/migrations.js';
import { completeFeedbackEntry, DEFAULT_FEEDBACK_ENTRIES, type FeedbackEntry, type FeedbackLog, type StrategyPerformance } from './feedback-log.js';
import { isQueryType, type QueryType } from './query-features.js';

export const RAG_FEEDBACK_MIGRATIONS: readonly Migration[] = [
  {
    id: 'rag_feedback/0001_create_entries',
    sql: `
      CREATE TABLE IF NOT EXISTS rag_feedback (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        query text NOT NULL,
        query_type text NOT NULL,
        strategy text NOT NULL,
        score double precision NOT NULL CHECK (score >= 0 AND score <= 1),
        outcome text,
        comment text
      );
      CREATE INDEX IF NOT EXISTS rag_feedback_type ON rag_feedback (query_type, seq)
    `,
  },
];

export interface SqlFeedbackLogOptions {
  db: SqlDatabase;
  /** Only the newest rows count for selection (default 10,000), as in the in-memory log. */
  maxEntries?: number;
}

interface FeedbackRow {
  at: string | Date;
  query: string;
  query_type: string;
  strategy: string;
  score: number | string;
  outcome: string | null;
  comment: string | null;
}

/** Runs the migrations, then returns the log. */
export async function openSqlFeedbackLog(options: SqlFeedbackLogOptions): Promise<FeedbackLog> {
  await runMigrations(options.db, RAG_FEEDBACK_MIGRATIONS);
  const { db } = options;
  const maxEntries = options.maxEntries ?? DEFAULT_FEEDBACK_ENTRIES;
  return {
    async record(entry) {
      const e = completeFeedbackEntry(entry);
      await db.query('INSERT INTO rag_feedback (at, query, query_type, strategy, score, outcome, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        e.at,
        e.query,
        e.queryType,
        e.strategy,
        e.score,
        e.outcome ?? null,
        e.comment ?? null,
      ]);
    },
    async performance(queryType: QueryType): Promise<StrategyPerformance[]> {
      const result = await db.query<{ strategy: string; count: number | string; mean: number | string }>(
        `SELECT strategy, count(*) AS count, avg(score) AS mean
           FROM (SELECT strategy, score, query_type FROM rag_feedback ORDER BY seq DESC LIMIT $2) recent
          WHERE query_type = $1
          GROUP BY strategy
          ORDER BY strategy`,
        [queryType, maxEntries],
      );
      return result.rows.map((r) => ({ strategy: r.strategy, count: Number(r.count), meanScore: Number(r.mean) }));
    },
    async entries(): Promise<FeedbackEntry[]> {
      const result = await db.query<FeedbackRow>(
        'SELECT at, query, query_type, strategy, score, outcome, comment FROM (SELECT * FROM rag_feedback ORDER BY seq DESC LIMIT $1) recent ORDER BY seq',
        [maxEntries],
      );
      return result.rows.flatMap((r) => {
        if (!isQueryType(r.query_type)) return [];
        const at = r.at instanceof Date ? r.at.toISOString() : new Date(r.at).toISOString();
        return [
          {
            query: r.query,
            queryType: r.query_type,
            strategy: r.strategy,
            score: Number(r.score),
            at,
            ...(r.outcome !== null ? { outcome: r.outcome } : {}),
            ...(r.comment !== null ? { comment: r.comment } : {}),
          },
        ];
      });
    },
  };
}
