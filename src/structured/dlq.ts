/**
 * Dead-letter queue for structured output that still failed after the repair loop (the guide's
 * "Production ETL robustness" checkpoint). Items are persisted through the relational port with
 * every attempt and error, wait for a human correction (validated against the stored schema
 * before it is accepted) or a retry with another model, and feed the `dlq_size` / oldest-age
 * metrics and the alert thresholds (more than 20 pending, or any pending over 120 minutes).
 *
 * HTTP routes are thin wrappers over these methods: `list` → `GET /admin/dlq`,
 * `resolve` → `POST /admin/dlq/{id}/resolve`, `retry` → `POST /admin/dlq/{id}/retry`.
 */
import { randomUUID } from 'node:crypto';
import { ConduitError } from '../core/errors.js';
import type { JsonSchema, Message } from '../core/messages.js';
import type { LanguageModel } from '../models/language-model.js';
import { runMigrations, type Migration } from '../store/migrations.js';
import type { SqlDatabase } from '../store/sql.js';
import type { AttemptRecord } from './attempt.js';
import { attemptErrorLines, type DeadLetterSink, type NewDeadLetterItem } from './dead-letter-sink.js';
import { generateObject } from './generate-object.js';
import { jsonSchemaToZod, formatPath, type ValidationIssue } from './output-schema.js';
import type { StrategyChoice } from './strategy.js';
import { StructuredOutputError } from './structured-output-error.js';

export const DLQ_TABLE = 'conduit_dlq_items';

export const DLQ_MIGRATIONS: readonly Migration[] = [
  {
    id: 'dlq/0001_create_items',
    sql: `CREATE TABLE IF NOT EXISTS ${DLQ_TABLE} (
      id text PRIMARY KEY,
      status text NOT NULL CHECK (status IN ('pending', 'resolved')),
      schema_name text NOT NULL,
      schema_json text NOT NULL,
      input_json text NOT NULL,
      attempts_json text NOT NULL,
      errors_json text NOT NULL,
      best_partial_json text,
      created_at bigint NOT NULL,
      retry_count integer NOT NULL DEFAULT 0,
      resolved_at bigint,
      resolved_by text,
      resolution_json text
    );
    CREATE INDEX IF NOT EXISTS ${DLQ_TABLE}_status_created ON ${DLQ_TABLE} (status, created_at)`,
  },
];

export type DeadLetterStatus = 'pending' | 'resolved';

export interface DeadLetterItem {
  id: string;
  status: DeadLetterStatus;
  schemaName: string;
  schema: JsonSchema;
  input: Message[];
  attempts: AttemptRecord[];
  errors: string[];
  /** Undefined when no attempt parsed. */
  bestPartial: unknown;
  /** Epoch ms. */
  createdAt: number;
  /** Retries through `retry()` that failed again. */
  retryCount: number;
  resolvedAt?: number;
  /** Who resolved it: the human's id, or `retry:<provider>/<model>`. */
  resolvedBy?: string;
  /** The accepted object (as validated against the schema). */
  resolution?: unknown;
}

export interface DeadLetterStats {
  pending: number;
  resolved: number;
  /** Age of the oldest pending item in ms; 0 when none is pending. */
  oldestPendingAgeMs: number;
}

export interface DeadLetterAlert {
  /** P2: many pending, probably a model degradation; P3: an item waits too long. */
  severity: 'P2' | 'P3';
  reason: 'size' | 'age';
  message: string;
}

export interface DeadLetterThresholds {
  /** Alert when more than this many are pending. Default 20. */
  maxPending: number;
  /** Alert when a pending item is older than this. Default 120 minutes. */
  maxAgeMs: number;
}

export const DEFAULT_DLQ_THRESHOLDS: DeadLetterThresholds = { maxPending: 20, maxAgeMs: 120 * 60_000 };

export interface DeadLetterQueueOptions {
  db: SqlDatabase;
  clock?: { now(): number };
  thresholds?: Partial<DeadLetterThresholds>;
}

export interface DeadLetterRetryOptions {
  strategy?: StrategyChoice;
  maxAttempts?: number;
  signal?: AbortSignal;
}

export interface DeadLetterQueue extends DeadLetterSink {
  add(item: NewDeadLetterItem): Promise<string>;
  /** Oldest first. Default: every status, limit 50. */
  list(query?: { status?: DeadLetterStatus; limit?: number; offset?: number }): Promise<DeadLetterItem[]>;
  /** Undefined when there is no such item. */
  get(id: string): Promise<DeadLetterItem | undefined>;
  /**
   * Accepts a human correction. Throws DeadLetterCorrectionError (400, with the issues) when it does
   * not match the stored schema — the item stays pending and unchanged —, `not_found` for an
   * unknown id, and `invalid_request` (409, code `dlq_already_resolved`) when already resolved.
   */
  resolve(id: string, corrected: unknown, actor: string): Promise<DeadLetterItem>;
  /**
   * Re-runs generateObject on the stored input with `model`; resolves the item on success. On
   * failure the new attempts are appended, `retryCount` grows, and the StructuredOutputError is thrown.
   */
  retry(id: string, model: LanguageModel, options?: DeadLetterRetryOptions): Promise<DeadLetterItem>;
  stats(now?: number): Promise<DeadLetterStats>;
  /** The alerts that hold now (empty when none). */
  alerts(now?: number): Promise<DeadLetterAlert[]>;
  /** True when more than `maxPending` are pending or any pending item is older than `maxAgeMs`. */
  alertsDue(now?: number): Promise<boolean>;
  readonly thresholds: DeadLetterThresholds;
}

/** A human correction that does not match the item's schema. */
export class DeadLetterCorrectionError extends ConduitError {
  readonly issues: ValidationIssue[];
  constructor(id: string, issues: ValidationIssue[]) {
    super('invalid_request', `The correction for ${id} does not match the schema: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      code: 'dlq_correction_invalid',
      param: 'corrected',
    });
    this.name = 'DeadLetterCorrectionError';
    this.issues = issues;
  }
}

interface ItemRow {
  id: string;
  status: DeadLetterStatus;
  schema_name: string;
  schema_json: string;
  input_json: string;
  attempts_json: string;
  errors_json: string;
  best_partial_json: string | null;
  created_at: string | number;
  retry_count: string | number;
  resolved_at: string | number | null;
  resolved_by: string | null;
  resolution_json: string | null;
}

/** Runs the DLQ migrations, then returns the queue. */
export async function createDeadLetterQueue(options: DeadLetterQueueOptions): Promise<DeadLetterQueue> {
  try {
    await runMigrations(options.db, DLQ_MIGRATIONS);
  } catch (err) {
    throw new ConduitError('internal', `Could not create the dead-letter table: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return new SqlDeadLetterQueue(options.db, options.clock ?? { now: () => Date.now() }, { ...DEFAULT_DLQ_THRESHOLDS, ...options.thresholds });
}

class SqlDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: { now(): number },
    readonly thresholds: DeadLetterThresholds,
  ) {}

  async add(item: NewDeadLetterItem): Promise<string> {
    const id = `dlq_${randomUUID()}`;
    await this.db.query(
      `INSERT INTO ${DLQ_TABLE} (id, status, schema_name, schema_json, input_json, attempts_json, errors_json, best_partial_json, created_at)
       VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8)`,
      [id, item.schemaName, JSON.stringify(item.schema), JSON.stringify(item.input), JSON.stringify(item.attempts), JSON.stringify(item.errors), jsonOrNull(item.bestPartial), this.clock.now()],
    );
    return id;
  }

  async list(query: { status?: DeadLetterStatus; limit?: number; offset?: number } = {}): Promise<DeadLetterItem[]> {
    const limit = clampInt(query.limit ?? 50, 1, 1000);
    const offset = clampInt(query.offset ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const { rows } =
      query.status === undefined
        ? await this.db.query<ItemRow>(`SELECT * FROM ${DLQ_TABLE} ORDER BY created_at, id LIMIT $1 OFFSET $2`, [limit, offset])
        : await this.db.query<ItemRow>(`SELECT * FROM ${DLQ_TABLE} WHERE status = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3`, [query.status, limit, offset]);
    return rows.map(toItem);
  }

  async get(id: string): Promise<DeadLetterItem | undefined> {
    const { rows } = await this.db.query<ItemRow>(`SELECT * FROM ${DLQ_TABLE} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toItem(rows[0]);
  }

  async resolve(id: string, corrected: unknown, actor: string): Promise<DeadLetterItem> {
    const item = await this.pendingItem(id);
    const result = jsonSchemaToZod(item.schema).safeParse(corrected);
    if (!result.success) throw new DeadLetterCorrectionError(id, result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
    return this.markResolved(id, result.data, actor);
  }

  async retry(id: string, model: LanguageModel, options: DeadLetterRetryOptions = {}): Promise<DeadLetterItem> {
    const item = await this.pendingItem(id);
    try {
      const result = await generateObject({
        model,
        schema: item.schema,
        schemaName: item.schemaName,
        messages: item.input,
        ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
        ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
      return await this.markResolved(id, result.object, `retry:${result.provider}/${result.model}`);
    } catch (err) {
      if (err instanceof StructuredOutputError) {
        const attempts = [...item.attempts, ...err.attempts];
        await this.db.query(
          `UPDATE ${DLQ_TABLE} SET attempts_json = $2, errors_json = $3, best_partial_json = COALESCE($4, best_partial_json), retry_count = retry_count + 1 WHERE id = $1 AND status = 'pending'`,
          [id, JSON.stringify(attempts), JSON.stringify([...item.errors, ...attemptErrorLines(err.attempts).map((line) => `retry ${item.retryCount + 1} ${line}`)]), jsonOrNull(err.bestPartial)],
        );
      }
      throw err;
    }
  }

  async stats(now: number = this.clock.now()): Promise<DeadLetterStats> {
    const { rows } = await this.db.query<{ pending: string | number; resolved: string | number; oldest: string | number | null }>(
      `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
              count(*) FILTER (WHERE status = 'resolved') AS resolved,
              min(created_at) FILTER (WHERE status = 'pending') AS oldest
       FROM ${DLQ_TABLE}`,
    );
    const row = rows[0];
    const oldest = row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
    return { pending: Number(row?.pending ?? 0), resolved: Number(row?.resolved ?? 0), oldestPendingAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest) };
  }

  async alerts(now: number = this.clock.now()): Promise<DeadLetterAlert[]> {
    const stats = await this.stats(now);
    const alerts: DeadLetterAlert[] = [];
    if (stats.pending > this.thresholds.maxPending) {
      alerts.push({ severity: 'P2', reason: 'size', message: `${stats.pending} structured-output failures pending review (more than ${this.thresholds.maxPending}): possible extraction model degradation` });
    }
    if (stats.pending > 0 && stats.oldestPendingAgeMs > this.thresholds.maxAgeMs) {
      alerts.push({ severity: 'P3', reason: 'age', message: `The oldest dead-letter item has waited ${Math.round(stats.oldestPendingAgeMs / 60_000)} minutes (limit ${Math.round(this.thresholds.maxAgeMs / 60_000)})` });
    }
    return alerts;
  }

  async alertsDue(now?: number): Promise<boolean> {
    return (await this.alerts(now)).length > 0;
  }

  private async pendingItem(id: string): Promise<DeadLetterItem> {
    const item = await this.get(id);
    if (item === undefined) throw new ConduitError('not_found', `No dead-letter item ${id}`, { code: 'dlq_item_not_found' });
    if (item.status !== 'pending') throw alreadyResolved(id);
    return item;
  }

  private async markResolved(id: string, resolution: unknown, actor: string): Promise<DeadLetterItem> {
    // `AND status = 'pending'`: of two concurrent resolutions exactly one wins.
    const { rows } = await this.db.query<ItemRow>(
      `UPDATE ${DLQ_TABLE} SET status = 'resolved', resolved_at = $2, resolved_by = $3, resolution_json = $4 WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, this.clock.now(), actor, jsonOrNull(resolution) ?? 'null'],
    );
    if (rows[0] === undefined) throw alreadyResolved(id);
    return toItem(rows[0]);
  }
}

function alreadyResolved(id: string): ConduitError {
  return new ConduitError('invalid_request', `Dead-letter item ${id} is already resolved`, { status: 409, code: 'dlq_already_resolved' });
}

function toItem(row: ItemRow): DeadLetterItem {
  const item: DeadLetterItem = {
    id: row.id,
    status: row.status,
    schemaName: row.schema_name,
    schema: JSON.parse(row.schema_json) as JsonSchema,
    input: JSON.parse(row.input_json) as Message[],
    attempts: JSON.parse(row.attempts_json) as AttemptRecord[],
    errors: JSON.parse(row.errors_json) as string[],
    bestPartial: row.best_partial_json === null ? undefined : (JSON.parse(row.best_partial_json) as unknown),
    createdAt: Number(row.created_at),
    retryCount: Number(row.retry_count),
  };
  if (row.resolved_at !== null) item.resolvedAt = Number(row.resolved_at);
  if (row.resolved_by !== null) item.resolvedBy = row.resolved_by;
  if (row.resolution_json !== null) item.resolution = JSON.parse(row.resolution_json) as unknown;
  return item;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}
