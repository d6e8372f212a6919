/**
 * The console's request list: the usage ledger's rows (one per model call the gateway accounted),
 * searched by key, model, status, time and cost. Read-only SQL over the ledger table, newest first;
 * the ledger has no listing API of its own because nothing else needs one.
 */
import { ConduitError } from '../core/errors.js';
import { LEDGER_TABLE } from '../ledger/index.js';
import type { LedgerBuffer } from '../ledger/index.js';
import type { SqlExecutor } from '../store/sql.js';

export interface RequestLogQuery {
  keyId?: string;
  /** Substring of the requested or served model, case-insensitive. */
  model?: string;
  status?: 'ok' | 'error' | 'interrupted';
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  minCostUsd?: number;
  /** Default 100, at most 500. */
  limit?: number;
}

export interface RequestLogRow {
  requestId: string;
  ts: string;
  keyId: string | null;
  team: string | null;
  model: string;
  provider: string;
  servedModel: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number | null;
  status: string;
  streamed: boolean;
  latencyMs: number;
  traceId: string | null;
}

const STATUSES = new Set(['ok', 'error', 'interrupted']);

/** Parses the list's query string; bad values are a 400, never a silently wider search. */
export function parseRequestLogQuery(q: URLSearchParams): RequestLogQuery {
  const out: RequestLogQuery = {};
  const text = (name: string): string | undefined => {
    const v = q.get(name)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const time = (name: string): number | undefined => {
    const v = text(name);
    if (v === undefined) return undefined;
    const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(ms)) throw new ConduitError('invalid_request', `${name} must be an ISO 8601 time or epoch milliseconds`, { param: name });
    return ms;
  };
  const key = text('key');
  if (key !== undefined) out.keyId = key;
  const model = text('model');
  if (model !== undefined) out.model = model;
  const status = text('status');
  if (status !== undefined) {
    if (!STATUSES.has(status)) throw new ConduitError('invalid_request', 'status must be ok, error or interrupted', { param: 'status' });
    out.status = status as RequestLogQuery['status'] & string;
  }
  const from = time('from');
  if (from !== undefined) out.from = from;
  const to = time('to');
  if (to !== undefined) out.to = to;
  const minCost = text('min_cost');
  if (minCost !== undefined) {
    const n = Number(minCost);
    if (!Number.isFinite(n) || n < 0) throw new ConduitError('invalid_request', 'min_cost must be a non-negative number (USD)', { param: 'min_cost' });
    out.minCostUsd = n;
  }
  const limit = text('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n <= 0) throw new ConduitError('invalid_request', 'limit must be a positive integer', { param: 'limit' });
    out.limit = Math.min(n, 500);
  }
  return out;
}

interface LedgerRow {
  request_id: string;
  ts: Date | string;
  key_id: string | null;
  team: string | null;
  model: string;
  provider: string;
  served_model: string;
  input_tokens: string | number;
  output_tokens: string | number;
  cached_input_tokens: string | number;
  cost_usd: string | number | null;
  status: string;
  streamed: boolean;
  latency_ms: string | number;
  trace_id: string | null;
}

export async function listRequests(db: SqlExecutor, buffer: LedgerBuffer | undefined, query: RequestLogQuery): Promise<RequestLogRow[]> {
  // Rows still in the write buffer would be missing from a list an operator is watching live.
  await buffer?.flush();
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (query.keyId !== undefined) add((p) => `key_id = ${p}`, query.keyId);
  if (query.model !== undefined) add((p) => `(model ILIKE ${p} OR served_model ILIKE ${p})`, `%${query.model.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (query.status !== undefined) add((p) => `status = ${p}`, query.status);
  if (query.from !== undefined) add((p) => `ts >= ${p}`, new Date(query.from).toISOString());
  if (query.to !== undefined) add((p) => `ts < ${p}`, new Date(query.to).toISOString());
  if (query.minCostUsd !== undefined) add((p) => `cost_usd >= ${p}`, String(query.minCostUsd));
  params.push(query.limit ?? 100);
  const sql =
    `SELECT request_id, ts, key_id, team, model, provider, served_model, input_tokens, output_tokens, cached_input_tokens, cost_usd, status, streamed, latency_ms, trace_id ` +
    `FROM ${LEDGER_TABLE}${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`} ORDER BY ts DESC, request_id LIMIT $${params.length}`;
  const { rows } = await db.query<LedgerRow>(sql, params);
  return rows.map((r) => ({
    requestId: r.request_id,
    ts: new Date(r.ts).toISOString(),
    keyId: r.key_id,
    team: r.team,
    model: r.model,
    provider: r.provider,
    servedModel: r.served_model,
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cachedInputTokens: Number(r.cached_input_tokens),
    costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
    status: r.status,
    streamed: r.streamed,
    latencyMs: Number(r.latency_ms),
    traceId: r.trace_id,
  }));
}
