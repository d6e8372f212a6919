/**
 * Spend reports over the ledger. Every replica reads the same table, so the same query gives the
 * same answer whichever replica serves `GET /admin/spend`.
 */
import { ConduitError } from '../core/errors.js';
import type { UsageStatus } from './usage-event.js';
import { toEpochMs } from './usage-event.js';
import { LEDGER_TABLE } from './ledger-migrations.js';

export type SpendGroupBy = 'key' | 'user' | 'team' | 'model' | 'provider' | 'day';

/** Equality filters; all given ones must match. */
export interface SpendFilter {
  keyId?: string;
  userId?: string;
  team?: string;
  /** The requested model (the `model` column), not the served one. */
  model?: string;
  provider?: string;
  status?: UsageStatus;
}

export interface SpendRange {
  /** Inclusive lower bound (epoch ms or Date). */
  from: Date | number;
  /** Exclusive upper bound: `[from, to)`, so consecutive ranges never count an event twice. */
  to: Date | number;
  filter?: SpendFilter;
}

export interface SpendQuery extends SpendRange {
  groupBy: SpendGroupBy;
}

export interface SpendTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Sum of known costs, USD. */
  costUsd: number;
  /** Requests whose price was unknown (cost NULL): not in costUsd, and reported so nobody mistakes them for free. */
  unpricedRequests: number;
}

export interface SpendRow extends SpendTotals {
  /** The key id, user id, team, model, provider, or UTC day `YYYY-MM-DD`; null for events without that attribute. */
  group: string | null;
}

const GROUP_EXPRESSIONS: Record<SpendGroupBy, string> = {
  key: 'key_id',
  user: 'user_id',
  team: 'team',
  model: 'model',
  provider: 'provider',
  day: "to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

const FILTER_COLUMNS: Record<keyof SpendFilter, string> = {
  keyId: 'key_id',
  userId: 'user_id',
  team: 'team',
  model: 'model',
  provider: 'provider',
  status: 'status',
};

// float8 casts: both adapters return float8 as a JS number, whereas bigint/numeric come back as strings.
const TOTALS_SELECT = `
  count(*)::float8 AS requests,
  coalesce(sum(input_tokens), 0)::float8 AS input_tokens,
  coalesce(sum(output_tokens), 0)::float8 AS output_tokens,
  coalesce(sum(cached_input_tokens), 0)::float8 AS cached_input_tokens,
  coalesce(sum(cost_usd), 0)::float8 AS cost_usd,
  count(*) FILTER (WHERE cost_usd IS NULL)::float8 AS unpriced_requests`;

export interface TotalsRow {
  group_value?: string | null;
  requests: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cached_input_tokens: number | string;
  cost_usd: number | string;
  unpriced_requests: number | string;
}

function whereClause(range: SpendRange): { sql: string; params: unknown[] } {
  const fromMs = toEpochMs(range.from);
  const toMs = toEpochMs(range.to);
  if (toMs < fromMs) throw new ConduitError('invalid_request', 'spend range: `to` is before `from`', { param: 'to' });
  const params: unknown[] = [new Date(fromMs).toISOString(), new Date(toMs).toISOString()];
  const clauses = ['ts >= $1', 'ts < $2'];
  for (const [field, value] of Object.entries(range.filter ?? {})) {
    if (value === undefined) continue;
    const column = FILTER_COLUMNS[field as keyof SpendFilter];
    if (column === undefined) throw new ConduitError('invalid_request', `unknown spend filter '${field}'`, { param: `filter.${field}` });
    params.push(value);
    clauses.push(`${column} = $${params.length}`);
  }
  return { sql: clauses.join(' AND '), params };
}

export function buildSpendQuery(q: SpendQuery): { sql: string; params: unknown[] } {
  const group = GROUP_EXPRESSIONS[q.groupBy];
  if (group === undefined) {
    throw new ConduitError('invalid_request', `groupBy must be one of ${Object.keys(GROUP_EXPRESSIONS).join(', ')}`, { param: 'groupBy' });
  }
  const where = whereClause(q);
  return {
    sql: `SELECT ${group} AS group_value, ${TOTALS_SELECT} FROM ${LEDGER_TABLE} WHERE ${where.sql}
          GROUP BY 1 ORDER BY cost_usd DESC, group_value ASC NULLS LAST`,
    params: where.params,
  };
}

export function buildTotalQuery(range: SpendRange): { sql: string; params: unknown[] } {
  const where = whereClause(range);
  return { sql: `SELECT ${TOTALS_SELECT} FROM ${LEDGER_TABLE} WHERE ${where.sql}`, params: where.params };
}

export function toTotals(r: TotalsRow): SpendTotals {
  return {
    requests: Number(r.requests),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cachedInputTokens: Number(r.cached_input_tokens),
    costUsd: Number(r.cost_usd),
    unpricedRequests: Number(r.unpriced_requests),
  };
}
