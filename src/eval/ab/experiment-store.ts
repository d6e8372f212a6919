/**
 * Where A/B requests and their feedback live: one row per request served through an experiment
 * (arm, user, latency, tokens, cost, outcome) and at most one feedback row per request (the latest
 * wins). Written once through the SqlDatabase port, so embedded PGlite and PostgreSQL behave alike.
 */
import { ConduitError } from '../../core/errors.js';
import type { Migration } from '../../store/migrations.js';
import { runMigrations } from '../../store/migrations.js';
import type { SqlDatabase } from '../../store/sql.js';

export const EXPERIMENT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'ab/0001_create_requests_and_feedback',
    sql: `
      CREATE TABLE IF NOT EXISTS ab_requests (
        request_id text PRIMARY KEY,
        experiment_id text NOT NULL,
        variant_id text NOT NULL,
        user_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        ok boolean NOT NULL,
        error_code text,
        latency_ms double precision NOT NULL,
        input_tokens integer NOT NULL DEFAULT 0,
        output_tokens integer NOT NULL DEFAULT 0,
        cost_usd double precision
      );
      CREATE INDEX IF NOT EXISTS ab_requests_by_arm ON ab_requests (experiment_id, variant_id);
      CREATE TABLE IF NOT EXISTS ab_feedback (
        request_id text PRIMARY KEY REFERENCES ab_requests (request_id) ON DELETE CASCADE,
        score double precision,
        thumbs_up boolean,
        comment text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
];

export interface ExperimentRequestRecord {
  requestId: string;
  experimentId: string;
  variantId: string;
  userId: string;
  ok: boolean;
  errorCode?: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Undefined when the model has no price. */
  costUsd?: number;
}

export interface FeedbackRecord {
  requestId: string;
  score?: number;
  thumbsUp?: boolean;
  comment?: string;
}

/** One arm's raw observations, for the statistical tests. */
export interface ArmObservations {
  variantId: string;
  requests: number;
  errors: number;
  /** Successful requests only. */
  latencyMs: number[];
  totalTokens: number[];
  costUsd: number[];
  scores: number[];
  thumbsUp: number;
  thumbsTotal: number;
}

export interface ExperimentStore {
  recordRequest(record: ExperimentRequestRecord): Promise<void>;
  /** Throws `not_found` (code `unknown_request`) when the request was not served through an experiment. Returns its experiment and arm. */
  recordFeedback(feedback: FeedbackRecord): Promise<{ experimentId: string; variantId: string }>;
  observations(experimentId: string): Promise<ArmObservations[]>;
}

export async function openExperimentStore(db: SqlDatabase): Promise<ExperimentStore> {
  await runMigrations(db, EXPERIMENT_MIGRATIONS);
  return new SqlExperimentStore(db);
}

class SqlExperimentStore implements ExperimentStore {
  constructor(private readonly db: SqlDatabase) {}

  async recordRequest(r: ExperimentRequestRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO ab_requests (request_id, experiment_id, variant_id, user_id, ok, error_code, latency_ms, input_tokens, output_tokens, cost_usd)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [r.requestId, r.experimentId, r.variantId, r.userId, r.ok, r.errorCode ?? null, r.latencyMs, r.inputTokens, r.outputTokens, r.costUsd ?? null],
    );
  }

  async recordFeedback(f: FeedbackRecord): Promise<{ experimentId: string; variantId: string }> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query<{ experiment_id: string; variant_id: string }>('SELECT experiment_id, variant_id FROM ab_requests WHERE request_id = $1', [f.requestId]);
      const row = found.rows[0];
      if (row === undefined) throw new ConduitError('not_found', `No experiment request with id '${f.requestId}'`, { code: 'unknown_request' });
      await tx.query(
        `INSERT INTO ab_feedback (request_id, score, thumbs_up, comment) VALUES ($1, $2, $3, $4)
         ON CONFLICT (request_id) DO UPDATE SET score = EXCLUDED.score, thumbs_up = EXCLUDED.thumbs_up, comment = EXCLUDED.comment, updated_at = now()`,
        [f.requestId, f.score ?? null, f.thumbsUp ?? null, f.comment ?? null],
      );
      return { experimentId: row.experiment_id, variantId: row.variant_id };
    });
  }

  async observations(experimentId: string): Promise<ArmObservations[]> {
    const { rows } = await this.db.query<{
      variant_id: string;
      ok: boolean;
      latency_ms: number;
      input_tokens: number;
      output_tokens: number;
      cost_usd: number | null;
      score: number | null;
      thumbs_up: boolean | null;
    }>(
      `SELECT r.variant_id, r.ok, r.latency_ms, r.input_tokens, r.output_tokens, r.cost_usd, f.score, f.thumbs_up
       FROM ab_requests r LEFT JOIN ab_feedback f ON f.request_id = r.request_id
       WHERE r.experiment_id = $1 ORDER BY r.created_at, r.request_id`,
      [experimentId],
    );
    const byArm = new Map<string, ArmObservations>();
    for (const row of rows) {
      let arm = byArm.get(row.variant_id);
      if (arm === undefined) {
        arm = { variantId: row.variant_id, requests: 0, errors: 0, latencyMs: [], totalTokens: [], costUsd: [], scores: [], thumbsUp: 0, thumbsTotal: 0 };
        byArm.set(row.variant_id, arm);
      }
      arm.requests++;
      if (!row.ok) {
        arm.errors++;
        continue;
      }
      arm.latencyMs.push(Number(row.latency_ms));
      arm.totalTokens.push(Number(row.input_tokens) + Number(row.output_tokens));
      if (row.cost_usd !== null) arm.costUsd.push(Number(row.cost_usd));
      if (row.score !== null) arm.scores.push(Number(row.score));
      if (row.thumbs_up !== null) {
        arm.thumbsTotal++;
        if (row.thumbs_up) arm.thumbsUp++;
      }
    }
    return [...byArm.values()];
  }
}

/** A store opened (and migrated) on first use, once; a failed open is retried on the next call. */
export function lazyExperimentStore(openDb: () => Promise<SqlDatabase>): () => Promise<ExperimentStore> {
  let opening: Promise<ExperimentStore> | undefined;
  return () => {
    opening ??= openDb()
      .then(openExperimentStore)
      .catch((err: unknown) => {
        opening = undefined;
        throw err;
      });
    return opening;
  };
}
