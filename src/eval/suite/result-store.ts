/**
 * The results store over the SqlDatabase port (embedded PGlite under `.conduit/` by default,
 * PostgreSQL with DATABASE_URL): the output cache keyed by input hash, and the run history — one row
 * per run with its summary, one per job with its output and assertion outcomes.
 */
import type { SqlDatabase } from '../../store/sql.js';
import { runMigrations, type Migration } from '../../store/migrations.js';
import type { EvalOutput } from '../assertions/assertion.js';
import type { JobResult, RunSummary, SuiteRunResult } from './results.js';

export const EVAL_MIGRATIONS: readonly Migration[] = [
  {
    id: 'eval/0001_create_eval_tables',
    sql: `
      CREATE TABLE IF NOT EXISTS eval_cache (
        input_hash text PRIMARY KEY,
        output jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS eval_runs (
        id text PRIMARY KEY,
        suite text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        total integer NOT NULL,
        passed integer NOT NULL,
        failed integer NOT NULL,
        errors integer NOT NULL,
        cached integer NOT NULL,
        cost_usd double precision NOT NULL,
        summary jsonb NOT NULL
      );
      CREATE INDEX IF NOT EXISTS eval_runs_suite_started ON eval_runs (suite, started_at DESC);
      CREATE TABLE IF NOT EXISTS eval_results (
        run_id text NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        prompt text NOT NULL,
        model text NOT NULL,
        case_name text NOT NULL,
        repeat integer NOT NULL,
        pass boolean NOT NULL,
        score double precision NOT NULL,
        cached boolean NOT NULL,
        input_hash text NOT NULL,
        output jsonb NOT NULL,
        assertions jsonb NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
  },
];

export interface RunHistoryEntry {
  runId: string;
  suite: string;
  startedAt: Date;
  finishedAt: Date;
  summary: RunSummary;
}

export interface EvalResultStore {
  getCached(inputHash: string): Promise<EvalOutput | undefined>;
  putCached(inputHash: string, output: EvalOutput): Promise<void>;
  saveRun(run: SuiteRunResult): Promise<void>;
  /** Newest first. */
  history(query?: { suite?: string; limit?: number }): Promise<RunHistoryEntry[]>;
  /** The job results of one run, in matrix order. */
  runResults(runId: string): Promise<JobResult[]>;
}

/** Runs the migrations, then returns the store. */
export async function createSqlEvalResultStore(db: SqlDatabase): Promise<EvalResultStore> {
  await runMigrations(db, EVAL_MIGRATIONS);
  return {
    async getCached(inputHash) {
      const { rows } = await db.query<{ output: EvalOutput | string }>('SELECT output FROM eval_cache WHERE input_hash = $1', [inputHash]);
      const row = rows[0];
      return row === undefined ? undefined : parseJson<EvalOutput>(row.output);
    },
    async putCached(inputHash, output) {
      await db.query('INSERT INTO eval_cache (input_hash, output) VALUES ($1, $2) ON CONFLICT (input_hash) DO UPDATE SET output = EXCLUDED.output, created_at = now()', [inputHash, toJsonb(output)]);
    },
    async saveRun(run) {
      await db.transaction(async (tx) => {
        const s = run.summary;
        await tx.query('INSERT INTO eval_runs (id, suite, started_at, finished_at, total, passed, failed, errors, cached, cost_usd, summary) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)', [
          run.runId,
          run.suite,
          run.startedAt.toISOString(),
          run.finishedAt.toISOString(),
          s.total,
          s.passed,
          s.failed,
          s.errors,
          s.cached,
          s.costUsd,
          JSON.stringify(s),
        ]);
        for (const r of run.results) {
          await tx.query('INSERT INTO eval_results (run_id, seq, prompt, model, case_name, repeat, pass, score, cached, input_hash, output, assertions) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)', [
            run.runId,
            r.index,
            r.prompt,
            r.model,
            r.case,
            r.repeat,
            r.pass,
            r.score,
            r.cached,
            r.inputHash,
            toJsonb({ output: r.output, vars: r.vars, ...(r.metadata === undefined ? {} : { metadata: r.metadata }) }),
            toJsonb(r.assertions),
          ]);
        }
      });
    },
    async history(query = {}) {
      const limit = Math.max(1, Math.min(query.limit ?? 20, 1000));
      const { rows } =
        query.suite === undefined
          ? await db.query<HistoryRow>('SELECT id, suite, started_at, finished_at, summary FROM eval_runs ORDER BY started_at DESC, id DESC LIMIT $1', [limit])
          : await db.query<HistoryRow>('SELECT id, suite, started_at, finished_at, summary FROM eval_runs WHERE suite = $1 ORDER BY started_at DESC, id DESC LIMIT $2', [query.suite, limit]);
      return rows.map((r) => ({ runId: r.id, suite: r.suite, startedAt: new Date(r.started_at), finishedAt: new Date(r.finished_at), summary: parseJson<RunSummary>(r.summary) }));
    },
    async runResults(runId) {
      const { rows } = await db.query<ResultRow>('SELECT * FROM eval_results WHERE run_id = $1 ORDER BY seq', [runId]);
      return rows.map((r) => {
        const stored = parseJson<{ output: EvalOutput; vars: Record<string, unknown>; metadata?: Record<string, unknown> }>(r.output);
        return {
          index: r.seq,
          prompt: r.prompt,
          model: r.model,
          case: r.case_name,
          repeat: r.repeat,
          vars: stored.vars,
          inputHash: r.input_hash,
          cached: r.cached,
          output: stored.output,
          assertions: parseJson<JobResult['assertions']>(r.assertions),
          pass: r.pass,
          score: Number(r.score),
          ...(stored.metadata === undefined ? {} : { metadata: stored.metadata }),
        };
      });
    },
  };
}

interface HistoryRow {
  id: string;
  suite: string;
  started_at: string | Date;
  finished_at: string | Date;
  summary: RunSummary | string;
}

interface ResultRow {
  seq: number;
  prompt: string;
  model: string;
  case_name: string;
  repeat: number;
  pass: boolean;
  score: number | string;
  cached: boolean;
  input_hash: string;
  output: unknown;
  assertions: unknown;
}

/** JSON for a jsonb column: PostgreSQL rejects the NUL character in jsonb text, so strings lose it. */
function toJsonb(value: unknown): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what must go
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? v.replace(/\u0000/g, '') : v));
}

/** jsonb comes back parsed from both adapters; a string (text column, older driver) is parsed here. */
function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
