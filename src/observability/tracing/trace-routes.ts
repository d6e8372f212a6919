/**
 * `GET /v1/traces` (list, filtered) and `GET /v1/traces/{traceId}` (every span of one trace) over
 * Conduit's own trace store, for the console and scripts. Admin (master key) only: traces name
 * keys and models, and may hold captured prompts.
 *
 * Filters: key, model, name, status (ok|error), http_status, since / until (epoch ms or ISO 8601),
 * min_cost / max_cost (USD), limit (1-500, default 50). `next_until` pages to older traces.
 */
import { ConduitError } from '../../core/errors.js';
import type { AppRoutes } from '../../gateway/app-routes.js';
import { pathSegments, queryOf } from '../../gateway/app-routes.js';
import type { RequestContext } from '../../gateway/context.js';
import type { SqlTraceStore, TraceListFilter } from './sql-trace-store.js';

const PREFIX = '/v1/traces';

export function createTraceRoutes(store: SqlTraceStore): AppRoutes {
  return {
    name: 'traces',
    matches: (path) => path === PREFIX || path.startsWith(`${PREFIX}/`),
    async handle(ctx, path) {
      requireAdmin(ctx);
      if (ctx.req.method !== 'GET') throw new ConduitError('invalid_request', `Method ${ctx.req.method ?? ''} is not allowed on ${path}; use GET`, { status: 405, code: 'method_not_allowed' });
      const segments = pathSegments(path, PREFIX) ?? [];
      if (segments.length === 0) {
        const filter = traceFilterOf(queryOf(ctx));
        const data = await store.listTraces(filter);
        const last = data.at(-1);
        ctx.sendJson(200, JSON.stringify({ object: 'list', data, ...(last !== undefined && data.length === (filter.limit ?? 50) ? { next_until: last.startTimeMs } : {}) }));
        return;
      }
      if (segments.length === 1) {
        const traceId = segments[0]!;
        ctx.sendJson(200, JSON.stringify({ object: 'trace', trace_id: traceId, spans: await store.getTrace(traceId) }));
        return;
      }
      throw new ConduitError('not_found', `Unknown route: GET ${path}`, { code: 'unknown_route' });
    },
  };
}

export function requireAdmin(ctx: RequestContext): void {
  if (ctx.principal?.admin !== true) throw new ConduitError('permission', 'This endpoint needs the admin (master) key', { code: 'admin_required' });
}

export function traceFilterOf(q: URLSearchParams): TraceListFilter {
  const filter: TraceListFilter = {};
  const text = (name: string) => {
    const v = q.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const number = (name: string): number | undefined => {
    const v = text(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConduitError('invalid_request', `${name} must be a number, got '${v}'`, { code: 'invalid_parameter', param: name });
    return n;
  };
  const time = (name: string): number | undefined => {
    const v = text(name);
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(n)) throw new ConduitError('invalid_request', `${name} must be epoch milliseconds or an ISO 8601 time, got '${v}'`, { code: 'invalid_parameter', param: name });
    return n;
  };
  const key = text('key');
  const model = text('model');
  const name = text('name');
  const status = text('status');
  if (status !== undefined && status !== 'ok' && status !== 'error') throw new ConduitError('invalid_request', `status must be ok or error, got '${status}'`, { code: 'invalid_parameter', param: 'status' });
  if (key !== undefined) filter.keyId = key;
  if (model !== undefined) filter.model = model;
  if (name !== undefined) filter.name = name;
  if (status !== undefined) filter.status = status;
  const httpStatus = number('http_status');
  const since = time('since');
  const until = time('until');
  const minCost = number('min_cost');
  const maxCost = number('max_cost');
  const limit = number('limit');
  if (httpStatus !== undefined) filter.httpStatus = httpStatus;
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  if (minCost !== undefined) filter.minCostUsd = minCost;
  if (maxCost !== undefined) filter.maxCostUsd = maxCost;
  if (limit !== undefined) filter.limit = limit;
  return filter;
}
