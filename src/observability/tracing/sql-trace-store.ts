/**
 * Conduit's own trace store (when no OTLP endpoint is configured): spans in the SQL store through
 * the SqlDatabase port (embedded PGlite or PostgreSQL), pruned after a retention period, and a
 * query API for the console — list traces by key, model, status, time and cost; read one trace.
 */
import { ConduitError } from '../../core/errors.js';
import { runMigrations } from '../../store/migrations.js';
import type { SqlDatabase } from '../../store/sql.js';
import type { SpanExporter } from './batch-processor.js';
import type { Attributes, SpanEvent, SpanKind, SpanRecord, SpanStatusCode } from './span.js';
import { TRACE_MIGRATIONS } from './trace-migrations.js';

export interface TraceListFilter {
  keyId?: string;
  model?: string;
  /** `error`: the root span failed (or answered ≥ 500); `ok`: it did not. */
  status?: 'ok' | 'error';
  httpStatus?: number;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive; also the cursor for the next page (the last item's startTimeMs). */
  until?: number;
  minCostUsd?: number;
  maxCostUsd?: number;
  /** Root span name, e.g. `POST /v1/chat/completions` or `agent.run support`. */
  name?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface TraceSummary {
  traceId: string;
  /** The root span's name. */
  name: string;
  startTimeMs: number;
  durationMs: number;
  status: SpanStatusCode;
  keyId: string | undefined;
  model: string | undefined;
  provider: string | undefined;
  httpStatus: number | undefined;
  /** The root's cost, else the sum of its spans' costs; undefined when unknown. */
  costUsd: number | undefined;
  spanCount: number;
}

export interface StoredSpan extends SpanRecord {
  durationMs: number;
}

export interface TraceStoreOptions {
  /** Spans older than this are deleted; default 7 days. */
  retentionMs?: number;
  /** How often retention runs; default hourly. 0 disables the timer (call prune() yourself). */
  pruneIntervalMs?: number;
}

const MAX_LIMIT = 500;
const COLUMNS = 17;

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  start_ms: number;
  end_ms: number;
  status: string;
  status_message: string | null;
  attributes: Attributes;
  events: SpanEvent[];
}

interface SummaryRow {
  trace_id: string;
  name: string;
  start_ms: number;
  end_ms: number;
  status: string;
  key_id: string | null;
  model: string | null;
  provider: string | null;
  http_status: number | null;
  cost_usd: number | null;
  span_count: number | string;
}

export class SqlTraceStore implements SpanExporter {
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly retentionMs: number;

  private constructor(
    private readonly db: SqlDatabase,
    options: TraceStoreOptions,
  ) {
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    const interval = options.pruneIntervalMs ?? 3600_000;
    if (interval > 0) {
      this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), interval);
      this.pruneTimer.unref();
    }
  }

  /** Runs the tracing migrations, then returns the store. */
  static async open(db: SqlDatabase, options: TraceStoreOptions = {}): Promise<SqlTraceStore> {
    await runMigrations(db, TRACE_MIGRATIONS);
    return new SqlTraceStore(db, options);
  }

  async export(spans: readonly SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    const params: unknown[] = [];
    const rows: string[] = [];
    for (const s of spans) {
      const a = s.attributes;
      const base = params.length;
      params.push(
        s.traceId,
        s.spanId,
        s.parentSpanId ?? null,
        s.parentSpanId === undefined || s.kind === 'server',
        s.name,
        s.kind,
        s.startTimeMs,
        s.endTimeMs,
        s.status,
        s.statusMessage ?? null,
        str(a['conduit.key_id']),
        str(a['gen_ai.request.model']),
        str(a['gen_ai.provider.name']),
        num(a['http.response.status_code']),
        num(a['conduit.cost_usd']),
        JSON.stringify(a),
        JSON.stringify(s.events),
      );
      const ph: string[] = [];
      for (let i = 1; i <= COLUMNS; i++) ph.push(`$${base + i}`);
      rows.push(`(${ph.join(', ')})`);
    }
    await this.db.query(
      `INSERT INTO conduit_trace_spans (trace_id, span_id, parent_span_id, local_root, name, kind, start_ms, end_ms, status, status_message,
         key_id, model, provider, http_status, cost_usd, attributes, events)
       VALUES ${rows.join(', ')} ON CONFLICT (trace_id, span_id) DO NOTHING`,
      params,
    );
  }

  /** Newest first. Page with `until` = the last summary's startTimeMs. */
  async listTraces(filter: TraceListFilter = {}): Promise<TraceSummary[]> {
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new ConduitError('invalid_request', `limit must be an integer from 1 to ${MAX_LIMIT}`, { code: 'invalid_limit', param: 'limit' });
    }
    const where: string[] = ['r.local_root'];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.keyId !== undefined) add('r.key_id = ?', filter.keyId);
    if (filter.model !== undefined) add('r.model = ?', filter.model);
    if (filter.name !== undefined) add('r.name = ?', filter.name);
    if (filter.httpStatus !== undefined) add('r.http_status = ?', filter.httpStatus);
    if (filter.since !== undefined) add('r.start_ms >= ?', filter.since);
    if (filter.until !== undefined) add('r.start_ms < ?', filter.until);
    if (filter.status === 'error') where.push(`(r.status = 'error' OR r.http_status >= 500)`);
    if (filter.status === 'ok') where.push(`(r.status <> 'error' AND (r.http_status IS NULL OR r.http_status < 500))`);
    const outer: string[] = [];
    const addOuter = (sql: string, value: unknown) => {
      params.push(value);
      outer.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.minCostUsd !== undefined) addOuter('t.cost_usd >= ?', filter.minCostUsd);
    if (filter.maxCostUsd !== undefined) addOuter('t.cost_usd <= ?', filter.maxCostUsd);
    params.push(limit);
    const result = await this.db.query<SummaryRow>(
      `SELECT * FROM (
         SELECT r.trace_id, r.name, r.start_ms, r.end_ms, r.status, r.key_id, r.model, r.provider, r.http_status,
           COALESCE(r.cost_usd, (SELECT sum(c.cost_usd) FROM conduit_trace_spans c WHERE c.trace_id = r.trace_id AND NOT c.local_root)) AS cost_usd,
           (SELECT count(*)::int FROM conduit_trace_spans c WHERE c.trace_id = r.trace_id) AS span_count
         FROM conduit_trace_spans r
         WHERE ${where.join(' AND ')}
       ) t
       ${outer.length === 0 ? '' : `WHERE ${outer.join(' AND ')}`}
       ORDER BY t.start_ms DESC
       LIMIT $${params.length}`,
      params,
    );
    return result.rows.map((r) => ({
      traceId: r.trace_id,
      name: r.name,
      startTimeMs: Number(r.start_ms),
      durationMs: Number(r.end_ms) - Number(r.start_ms),
      status: r.status as SpanStatusCode,
      keyId: r.key_id ?? undefined,
      model: r.model ?? undefined,
      provider: r.provider ?? undefined,
      httpStatus: r.http_status ?? undefined,
      costUsd: r.cost_usd === null ? undefined : Number(r.cost_usd),
      spanCount: Number(r.span_count),
    }));
  }

  /** Every span of one trace in start order (parents before their children); 404 when none is stored. */
  async getTrace(traceId: string): Promise<StoredSpan[]> {
    if (!/^[0-9a-f]{32}$/.test(traceId)) throw new ConduitError('invalid_request', 'trace id must be 32 lowercase hex characters', { code: 'invalid_trace_id' });
    const result = await this.db.query<SpanRow>(
      `SELECT trace_id, span_id, parent_span_id, name, kind, start_ms, end_ms, status, status_message, attributes, events
       FROM conduit_trace_spans WHERE trace_id = $1 ORDER BY start_ms, local_root DESC`,
      [traceId],
    );
    if (result.rows.length === 0) throw new ConduitError('not_found', `No trace ${traceId} is stored (it may be older than the retention period)`, { code: 'trace_not_found' });
    return result.rows.map((r) => ({
      traceId: r.trace_id,
      spanId: r.span_id,
      parentSpanId: r.parent_span_id ?? undefined,
      name: r.name,
      kind: r.kind as SpanKind,
      startTimeMs: Number(r.start_ms),
      endTimeMs: Number(r.end_ms),
      durationMs: Number(r.end_ms) - Number(r.start_ms),
      status: r.status as SpanStatusCode,
      statusMessage: r.status_message ?? undefined,
      attributes: r.attributes,
      events: r.events,
    }));
  }

  /** Deletes spans that started before now − retention; returns how many. */
  async prune(now: number = Date.now()): Promise<number> {
    const result = await this.db.query('DELETE FROM conduit_trace_spans WHERE start_ms < $1', [now - this.retentionMs]);
    return result.rowCount;
  }

  shutdown(): Promise<void> {
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    return Promise.resolve();
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
