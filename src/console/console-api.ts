/**
 * `/console/api/*`: the JSON the console's pages read, composed from the services the gateway
 * already runs (metrics, keys, ledger, emergency stop, dead-letter queue, prompt registry, agent
 * runs, traces). Mutations take the same service calls as `/admin/*` and are audited under the same
 * action names (actor `admin`, `via: console`), so the audit trail does not depend on which door
 * an operator used.
 */
import { ConduitError } from '../core/errors.js';
import type { AuditLog } from '../audit/index.js';
import type { KeyService } from '../auth/index.js';
import { readBudgetUse, windowBounds } from '../budgets/index.js';
import type { BudgetRule } from '../budgets/index.js';
import type { CacheStatsCollector } from '../cache/index.js';
import type { LedgerBuffer, SpendGroupBy, UsageLedger } from '../ledger/index.js';
import type { ModelResolver } from '../models/language-model.js';
import type { PromptRegistry } from '../prompting/registry.js';
import type { EmergencyStop } from '../ratelimit/index.js';
import type { SqlExecutor } from '../store/sql.js';
import type { DeadLetterQueue, DeadLetterStatus } from '../structured/dlq.js';
import type { ApprovalsSource } from './approvals-source.js';
import type { GatewayClient } from './gateway-client.js';
import type { IncidentSource } from './incident-source.js';
import { incidentsRoute } from './incidents-api.js';
import { replyErrorMessage, replyErrorCode } from './gateway-client.js';
import type { LiveStats } from './live-stats.js';
import { listRequests, parseRequestLogQuery } from './request-log.js';
import type { AlertSource, TraceListFilter, TraceSource } from './trace-source.js';

/** What the API composes; each member is optional and its pages say "not enabled" without it. */
export interface ConsoleServices {
  live: LiveStats;
  resolver: ModelResolver;
  keys?: KeyService;
  ledger?: UsageLedger;
  ledgerBuffer?: LedgerBuffer;
  /** The database the ledger lives on (the request list reads it). */
  db?: SqlExecutor;
  emergencyStop?: EmergencyStop;
  audit?: AuditLog;
  cacheStats?: CacheStatsCollector;
  budgetRules?: readonly BudgetRule[];
  dlq?: DeadLetterQueue;
  prompts?: PromptRegistry;
  approvals?: ApprovalsSource;
  /** Loopback into the gateway's own routes (the playground's model call). */
  gateway?: GatewayClient;
  traces?: TraceSource;
  alerts?: AlertSource;
  /** The incident agent's incidents and their remediation approvals. */
  incidents?: IncidentSource;
}

export interface ApiRequest {
  method: string;
  /** Segments after `/console/api/`, decoded. */
  parts: string[];
  query: URLSearchParams;
  /** The parsed JSON body (an object; `{}` when empty). */
  body: () => Promise<Record<string, unknown>>;
  requestId: string;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

function disabled(what: string): ConduitError {
  return new ConduitError('not_found', `${what} is not enabled on this gateway`, { code: 'feature_disabled' });
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw disabled(what);
  return value;
}

function notAllowed(method: string): ConduitError {
  return new ConduitError('invalid_request', `Method ${method} is not allowed here`, { status: 405, code: 'method_not_allowed' });
}

function str(body: Record<string, unknown>, name: string, max = 10_000): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw new ConduitError('invalid_request', `${name} must be a string of at most ${max} characters`, { param: name });
  return v;
}

const SPEND_GROUPS: readonly SpendGroupBy[] = ['key', 'user', 'team', 'model', 'provider', 'day'];
const HOUR_MS = 3_600_000;

function parseTime(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ConduitError('invalid_request', `${name} must be an ISO 8601 time or epoch milliseconds`, { param: name });
  return ms;
}

export function createConsoleApi(services: ConsoleServices): (req: ApiRequest) => Promise<ApiAnswer> {
  const s = services;

  async function audit(requestId: string, action: string, resource: string | undefined, outcome: 'success' | 'failure', details: Record<string, unknown> = {}): Promise<void> {
    await s.audit
      ?.append({ requestId, actor: 'admin', action, ...(resource === undefined ? {} : { resource }), outcome, details: { via: 'console', ...details } })
      .catch(() => undefined);
  }

  /** Runs a mutation and audits it either way (a refused correction is worth a record too). */
  async function audited<T>(requestId: string, action: string, resource: string | undefined, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      await audit(requestId, action, resource, 'success', details);
      return out;
    } catch (err) {
      await audit(requestId, action, resource, 'failure', { ...details, error: err instanceof ConduitError ? { kind: err.kind, code: err.code ?? null } : { kind: 'internal' } });
      throw err;
    }
  }

  async function budgets(now: number): Promise<unknown[]> {
    const ledger = s.ledger;
    if (ledger === undefined) return [];
    await s.ledgerBuffer?.flush();
    return readBudgetUse(ledger, s.budgetRules ?? [], now);
  }

  async function overview(): Promise<unknown> {
    const now = Date.now();
    const minute = s.live.window(60);
    let lastHour: unknown = null;
    if (s.ledger !== undefined) {
      await s.ledgerBuffer?.flush();
      const t = await s.ledger.total({ from: now - HOUR_MS, to: now + 1 });
      lastHour = { requests: t.requests, tokens: t.inputTokens + t.outputTokens, costUsd: t.costUsd, unpricedRequests: t.unpricedRequests };
    }
    const dlqStats = s.dlq === undefined ? null : await s.dlq.stats(now);
    const alerts =
      s.alerts === undefined
        ? null
        : s.alerts.activeAlerts().map((a) => ({ name: a.name, severity: a.severity, state: a.state, summary: a.summary, value: a.value, threshold: a.threshold, sinceMs: a.firingSinceMs ?? a.activeSinceMs }));
    return {
      time: new Date(now).toISOString(),
      emergencyStop: s.emergencyStop === undefined ? null : s.emergencyStop.state(),
      window: minute,
      totals: s.live.totals(),
      series: s.live.series(60),
      lastHour,
      budgets: await budgets(now),
      cache: s.cacheStats?.snapshot() ?? null,
      dlq: dlqStats,
      alerts,
      features: {
        keys: s.keys !== undefined,
        ledger: s.ledger !== undefined,
        emergencyStop: s.emergencyStop !== undefined,
        dlq: s.dlq !== undefined,
        approvals: s.approvals !== undefined,
        traces: s.traces !== undefined,
        alerts: s.alerts !== undefined,
        prompts: s.prompts !== undefined,
        incidents: s.incidents !== undefined,
      },
    };
  }

  async function keysRoute(req: ApiRequest, id: string | undefined, action: string | undefined): Promise<ApiAnswer> {
    const keys = need(s.keys, 'Virtual API keys');
    if (id === undefined) {
      if (req.method === 'GET') {
        const list = await keys.list({ includeRevoked: req.query.get('include_revoked') === 'true' });
        // Spend this month per key, beside the key's own budgets.
        let spend = new Map<string | null, number>();
        if (s.ledger !== undefined) {
          await s.ledgerBuffer?.flush();
          const now = Date.now();
          const rows = await s.ledger.spend({ from: windowBounds('month', now).start, to: now + 1, groupBy: 'key' });
          spend = new Map(rows.map((r) => [r.group, r.costUsd]));
        }
        return { status: 200, body: { data: list.map((k) => ({ ...k, monthSpendUsd: spend.get(k.id) ?? 0 })) } };
      }
      if (req.method === 'POST') {
        const input = await req.body();
        const created = await audited(req.requestId, 'admin.key.create', undefined, { name: input.name }, () => keys.create(input as Parameters<KeyService['create']>[0]));
        return { status: 201, body: { key: created.key, ...created.record } };
      }
      throw notAllowed(req.method);
    }
    if (action === 'revoke') {
      if (req.method !== 'POST') throw notAllowed(req.method);
      return { status: 200, body: await audited(req.requestId, 'admin.key.revoke', id, {}, () => keys.revoke(id)) };
    }
    if (action !== undefined) throw new ConduitError('not_found', `Unknown key action ${action}`, { code: 'unknown_route' });
    if (req.method === 'GET') return { status: 200, body: await keys.get(id) };
    if (req.method === 'PATCH') {
      const patch = await req.body();
      return { status: 200, body: await audited(req.requestId, 'admin.key.update', id, { fields: Object.keys(patch) }, () => keys.update(id, patch as Parameters<KeyService['update']>[1])) };
    }
    throw notAllowed(req.method);
  }

  async function spendRoute(req: ApiRequest): Promise<ApiAnswer> {
    const ledger = need(s.ledger, 'The usage ledger');
    await s.ledgerBuffer?.flush();
    const now = Date.now();
    const from = parseTime(req.query.get('from'), 'from', windowBounds('month', now).start);
    const to = parseTime(req.query.get('to'), 'to', now + 1);
    const groupBy = (req.query.get('group_by') ?? 'key') as SpendGroupBy;
    if (!SPEND_GROUPS.includes(groupBy)) throw new ConduitError('invalid_request', `group_by must be one of ${SPEND_GROUPS.join(', ')}`, { param: 'group_by' });
    const [rows, total] = await Promise.all([ledger.spend({ from, to, groupBy }), ledger.total({ from, to })]);
    return { status: 200, body: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), groupBy, total, data: rows } };
  }

  async function dlqRoute(req: ApiRequest, id: string | undefined, action: string | undefined): Promise<ApiAnswer> {
    const dlq = need(s.dlq, 'The dead-letter queue');
    if (id === undefined) {
      if (req.method !== 'GET') throw notAllowed(req.method);
      const status = req.query.get('status') ?? 'pending';
      if (status !== 'pending' && status !== 'resolved') throw new ConduitError('invalid_request', 'status must be pending or resolved', { param: 'status' });
      const items = await dlq.list({ status: status as DeadLetterStatus, limit: 200 });
      const now = Date.now();
      return {
        status: 200,
        body: {
          stats: await dlq.stats(now),
          data: items.map((i) => ({ id: i.id, schemaName: i.schemaName, attempts: i.attempts.length, errors: i.errors, createdAt: i.createdAt, ageMs: Math.max(0, (i.resolvedAt ?? now) - i.createdAt), status: i.status, retryCount: i.retryCount })),
        },
      };
    }
    if (action === undefined) {
      if (req.method !== 'GET') throw notAllowed(req.method);
      const item = await dlq.get(id);
      if (item === undefined) throw new ConduitError('not_found', `No dead-letter item ${id}`, { code: 'dlq_item_not_found' });
      await audit(req.requestId, 'admin.dlq.read', id, 'success');
      return { status: 200, body: item };
    }
    if (action === 'resolve') {
      if (req.method !== 'POST') throw notAllowed(req.method);
      const body = await req.body();
      if (!('corrected_data' in body)) throw new ConduitError('invalid_request', 'corrected_data is required', { param: 'corrected_data' });
      // The queue validates the correction against the item's schema: an invalid one is a 400 and leaves it pending.
      return { status: 200, body: await audited(req.requestId, 'admin.dlq.resolve', id, { actor: 'admin' }, () => dlq.resolve(id, body.corrected_data, 'admin')) };
    }
    throw new ConduitError('not_found', `Unknown dead-letter action ${action}`, { code: 'unknown_route' });
  }

  async function stopRoute(req: ApiRequest, which: 'emergency-stop' | 'resume'): Promise<ApiAnswer> {
    if (req.method !== 'POST') throw notAllowed(req.method);
    const stop = need(s.emergencyStop, 'The emergency stop');
    const body = await req.body();
    if (which === 'resume') return { status: 200, body: await audited(req.requestId, 'admin.resume', undefined, {}, () => stop.resume('admin')) };
    // The page asks the operator first; the API insists on the answer so a stray request cannot stop the fleet.
    if (body.confirm !== true) throw new ConduitError('invalid_request', 'Stopping all model traffic needs confirm: true', { param: 'confirm', code: 'confirmation_required' });
    const reason = str(body, 'reason', 500) ?? 'emergency stop (console)';
    return { status: 200, body: await audited(req.requestId, 'admin.emergency_stop', undefined, { reason }, () => stop.stop('admin', reason)) };
  }

  async function approvalsRoute(req: ApiRequest, runId: string | undefined, approvalId: string | undefined): Promise<ApiAnswer> {
    const approvals = need(s.approvals, 'Agent run approvals');
    if (runId === undefined) {
      if (req.method !== 'GET') throw notAllowed(req.method);
      return { status: 200, body: { data: await approvals.listPending() } };
    }
    if (approvalId === undefined || req.method !== 'POST') throw notAllowed(req.method);
    const body = await req.body();
    const decision = body.decision;
    if (decision !== 'approve' && decision !== 'deny') throw new ConduitError('invalid_request', "decision must be 'approve' or 'deny'", { param: 'decision' });
    return { status: 200, body: await approvals.decide(runId, approvalId, decision, str(body, 'reason')) };
  }

  async function tracesRoute(req: ApiRequest, id: string | undefined): Promise<ApiAnswer> {
    const traces = need(s.traces, 'Tracing');
    if (req.method !== 'GET') throw notAllowed(req.method);
    if (id !== undefined) return { status: 200, body: { traceId: id, spans: await traces.getTrace(id) } };
    const q = req.query;
    const text = (name: string): string | undefined => {
      const v = q.get(name)?.trim();
      return v === undefined || v === '' ? undefined : v;
    };
    const filter: TraceListFilter = { limit: 100 };
    const key = text('key');
    if (key !== undefined) filter.keyId = key;
    const model = text('model');
    if (model !== undefined) filter.model = model;
    const name = text('name');
    if (name !== undefined) filter.name = name;
    const status = text('status');
    if (status !== undefined) {
      if (status !== 'ok' && status !== 'error') throw new ConduitError('invalid_request', 'status must be ok or error', { param: 'status' });
      filter.status = status;
    }
    const from = text('from');
    if (from !== undefined) filter.since = parseTime(from, 'from', 0);
    const minCost = text('min_cost');
    if (minCost !== undefined) {
      const n = Number(minCost);
      if (!Number.isFinite(n) || n < 0) throw new ConduitError('invalid_request', 'min_cost must be a non-negative number (USD)', { param: 'min_cost' });
      filter.minCostUsd = n;
    }
    return { status: 200, body: { data: await traces.listTraces(filter) } };
  }

  async function promptsRoute(req: ApiRequest, rest: string[]): Promise<ApiAnswer> {
    const prompts = need(s.prompts, 'The prompt registry');
    if (req.method !== 'GET') throw notAllowed(req.method);
    if (rest.length === 0) return { status: 200, body: { data: await prompts.list() } };
    const loaded = await prompts.load(rest.join('/'));
    return { status: 200, body: { id: loaded.id, version: loaded.version, ref: loaded.ref, versions: loaded.versions, meta: loaded.meta, body: loaded.body } };
  }

  async function playground(req: ApiRequest): Promise<ApiAnswer> {
    if (req.method !== 'POST') throw notAllowed(req.method);
    const prompts = need(s.prompts, 'The prompt registry');
    const gateway = need(s.gateway, 'The playground');
    const body = await req.body();
    const ref = str(body, 'prompt', 300);
    if (ref === undefined) throw new ConduitError('invalid_request', 'prompt is required (a registry id, optionally @version)', { param: 'prompt' });
    const variables = body.variables ?? {};
    if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) throw new ConduitError('invalid_request', 'variables must be an object', { param: 'variables' });
    const loaded = await prompts.load(ref);
    // Renders with the prompt's declared variables: a missing or undeclared one is a 400 before any model is called.
    let messages;
    try {
      messages = loaded.template.renderMessages(variables as Record<string, unknown>);
    } catch (err) {
      throw new ConduitError('invalid_request', err instanceof Error ? err.message : String(err), { param: 'variables', code: 'invalid_variables', cause: err });
    }
    const model = str(body, 'model', 300) ?? loaded.meta.model;
    const temperature = body.temperature;
    if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) throw new ConduitError('invalid_request', 'temperature must be a number from 0 to 2', { param: 'temperature' });
    const started = Date.now();
    // Through the gateway's own chat route: the stop, budgets, ledger and audit apply as to any caller.
    const reply = await gateway.request('/v1/chat/completions', { body: { model, messages, ...(temperature === undefined ? {} : { temperature }) } });
    if (reply.status !== 200) {
      return { status: reply.status, body: { error: { message: replyErrorMessage(reply), code: replyErrorCode(reply) ?? null, type: 'playground_call_failed' }, messages } };
    }
    const choice = (reply.body.choices as { message?: { content?: unknown }; finish_reason?: unknown }[] | undefined)?.[0];
    return {
      status: 200,
      body: {
        prompt: loaded.ref,
        model,
        servedModel: reply.body.model ?? null,
        messages,
        output: typeof choice?.message?.content === 'string' ? choice.message.content : '',
        finishReason: choice?.finish_reason ?? null,
        usage: reply.body.usage ?? null,
        latencyMs: Date.now() - started,
      },
    };
  }

  return async function route(req: ApiRequest): Promise<ApiAnswer> {
    const [first, second, third, ...more] = req.parts;
    switch (first) {
      case 'overview':
        if (req.method !== 'GET') throw notAllowed(req.method);
        return { status: 200, body: await overview() };
      case 'emergency-stop':
      case 'resume':
        return stopRoute(req, first);
      case 'keys':
        if (more.length > 0) break;
        return keysRoute(req, second, third);
      case 'spend':
        return spendRoute(req);
      case 'dlq':
        if (more.length > 0) break;
        return dlqRoute(req, second, third);
      case 'approvals':
        if (more.length > 0) break;
        return approvalsRoute(req, second, third);
      case 'requests':
        if (req.method !== 'GET') throw notAllowed(req.method);
        return { status: 200, body: { data: await listRequests(need(s.db, 'The request log (usage ledger)'), s.ledgerBuffer, parseRequestLogQuery(req.query)) } };
      case 'traces':
        return tracesRoute(req, second);
      case 'models': {
        // What remote servers say they serve now (the static list holds only configured names).
        const models = s.resolver.listReachable === undefined ? s.resolver.list() : await s.resolver.listReachable().catch(() => s.resolver.list());
        return { status: 200, body: { data: models.filter((m) => m.kind !== 'embedding') } };
      }
      case 'prompts':
        return promptsRoute(req, req.parts.slice(1));
      case 'playground':
        return playground(req);
      case 'incidents':
        // Not wrapped in audited(): the incident service audits each decision itself (one entry, one path).
        return incidentsRoute(req, need(s.incidents, 'The incident agent'));
      default:
        break;
    }
    throw new ConduitError('not_found', `Unknown console API route: ${req.method} /console/api/${req.parts.join('/')}`, { code: 'unknown_route' });
  };
}
