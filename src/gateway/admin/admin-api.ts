/**
 * `/admin/*`: keys, spend, emergency stop, GDPR erasure, cache statistics, audit verification, the
 * structured-output dead-letter queue.
 * Master key only (never open: with no master key configured every request is refused), JSON in
 * and out, OpenAI-shaped errors, `cache-control: no-store` on every answer, and each action audited
 * (actor `admin`) when the audit log is on.
 */
import { ConduitError, toConduitError } from '../../core/errors.js';
import type { AuditLog, AuditBuffer } from '../../audit/index.js';
import type { KeyService } from '../../auth/index.js';
import { extractCredential, requireMasterKey } from '../../auth/index.js';
import type { CacheStatsCollector, CacheStore, CacheStoreStats, SemanticCache } from '../../cache/index.js';
import type { LedgerBuffer, SpendGroupBy, UsageLedger } from '../../ledger/index.js';
import type { LanguageModel } from '../../models/language-model.js';
import type { EmergencyStop } from '../../ratelimit/index.js';
import type { DeadLetterItem, DeadLetterQueue, DeadLetterStatus } from '../../structured/dlq.js';
import { parseJsonBody, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { pathOf } from '../router.js';
import type { AdminHandler } from '../policy/gateway-policy.js';

export interface AdminServices {
  masterKey: string | undefined;
  keys?: KeyService;
  ledger?: UsageLedger;
  ledgerBuffer?: LedgerBuffer;
  emergencyStop?: EmergencyStop;
  audit?: AuditLog;
  auditBuffer?: AuditBuffer;
  cacheStats: CacheStatsCollector;
  cacheStores?: CacheStore[];
  semanticCache?: SemanticCache;
  dlq?: DeadLetterQueue;
}

const NO_STORE = ['cache-control', 'no-store'];
const ADMIN_BODY_LIMIT = 256 * 1024;
const GROUPS: readonly SpendGroupBy[] = ['key', 'user', 'team', 'model', 'provider', 'day'];

interface Answer {
  status: number;
  body: unknown;
  /** Audit record of the action, when it changed something or read something sensitive. */
  audit?: { action: string; resource?: string; details?: Record<string, unknown> };
}

function notConfigured(what: string): ConduitError {
  return new ConduitError('not_found', `${what} is not enabled on this gateway`, { code: 'feature_disabled' });
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw notConfigured(what);
  return value;
}

function methodNotAllowed(method: string, path: string): ConduitError {
  return new ConduitError('invalid_request', `Method ${method} is not allowed on ${path}`, { status: 405, code: 'method_not_allowed' });
}

function parseTime(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ConduitError('invalid_request', `${name} must be an ISO 8601 time or epoch milliseconds`, { param: name });
  return ms;
}

const DLQ_STATUSES: readonly DeadLetterStatus[] = ['pending', 'resolved'];

/** The `GET /admin/dlq` row: counts instead of the full attempts, and how long it waited (so far, or until resolved). */
function dlqSummary(item: DeadLetterItem, now: number): Record<string, unknown> {
  return {
    id: item.id,
    schemaName: item.schemaName,
    attempts: item.attempts.length,
    errors: item.errors,
    time_in_queue_ms: Math.max(0, (item.resolvedAt ?? now) - item.createdAt),
    status: item.status,
  };
}

function startOfUtcMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function createAdminHandler(services: AdminServices): AdminHandler {
  async function body(ctx: RequestContext): Promise<Record<string, unknown>> {
    const raw = await readBody(ctx.req, ADMIN_BODY_LIMIT);
    if (raw.length === 0) return {};
    const parsed = parseJsonBody(raw, 32);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConduitError('invalid_request', 'The request body must be a JSON object');
    return parsed as Record<string, unknown>;
  }

  async function route(ctx: RequestContext, path: string, query: URLSearchParams): Promise<Answer> {
    const method = ctx.req.method ?? 'GET';
    const parts = path.split('/').filter((p) => p !== '').slice(1); // drop 'admin'
    const [first, second, third] = parts.map(decodeURIComponent);
    switch (first) {
      case 'keys': {
        const keys = need(services.keys, 'Virtual API keys');
        if (second === undefined) {
          if (method === 'POST') {
            const created = await keys.create((await body(ctx)) as Parameters<KeyService['create']>[0]);
            return { status: 201, body: { key: created.key, ...created.record }, audit: { action: 'admin.key.create', resource: created.record.id, details: { name: created.record.name } } };
          }
          if (method === 'GET') {
            const filter: Parameters<KeyService['list']>[0] = {};
            const team = query.get('team');
            const owner = query.get('owner') ?? query.get('owner_user_id');
            const limit = query.get('limit');
            if (team !== null) filter.team = team;
            if (owner !== null) filter.owner = owner;
            if (query.get('include_revoked') === 'true' || query.get('includeRevoked') === 'true') filter.includeRevoked = true;
            if (limit !== null) filter.limit = Number(limit);
            return { status: 200, body: { object: 'list', data: await keys.list(filter) } };
          }
          throw methodNotAllowed(method, path);
        }
        if (third === undefined) {
          if (method === 'GET') return { status: 200, body: await keys.get(second) };
          if (method === 'PATCH') {
            const patch = await body(ctx);
            return { status: 200, body: await keys.update(second, patch as Parameters<KeyService['update']>[1]), audit: { action: 'admin.key.update', resource: second, details: { fields: Object.keys(patch) } } };
          }
          if (method === 'DELETE') return { status: 200, body: await keys.revoke(second), audit: { action: 'admin.key.revoke', resource: second } };
          throw methodNotAllowed(method, path);
        }
        if (method !== 'POST') throw methodNotAllowed(method, path);
        if (third === 'revoke') return { status: 200, body: await keys.revoke(second), audit: { action: 'admin.key.revoke', resource: second } };
        if (third === 'rotate') {
          const b = await body(ctx);
          const grace = b.graceMs ?? b.grace_ms;
          const rotated = await keys.rotate(second, grace === undefined ? {} : { graceMs: Number(grace) });
          return {
            status: 201,
            body: { key: rotated.key, ...rotated.record, previous: rotated.previous },
            audit: { action: 'admin.key.rotate', resource: second, details: { newKeyId: rotated.record.id } },
          };
        }
        break;
      }
      case 'spend': {
        if (second !== undefined) break;
        if (method !== 'GET') throw methodNotAllowed(method, path);
        const ledger = need(services.ledger, 'The usage ledger');
        await services.ledgerBuffer?.flush();
        const now = Date.now();
        const from = parseTime(query.get('from'), 'from', startOfUtcMonth(now));
        const to = parseTime(query.get('to'), 'to', now + 1);
        const groupBy = (query.get('group_by') ?? 'key') as SpendGroupBy;
        if (!GROUPS.includes(groupBy)) throw new ConduitError('invalid_request', `group_by must be one of ${GROUPS.join(', ')}`, { param: 'group_by' });
        const filter: Record<string, string> = {};
        for (const [param, field] of [['key_id', 'keyId'], ['user', 'userId'], ['team', 'team'], ['model', 'model']] as const) {
          const v = query.get(param);
          if (v !== null) filter[field] = v;
        }
        const [rows, total] = await Promise.all([ledger.spend({ from, to, groupBy, filter }), ledger.total({ from, to, filter })]);
        return {
          status: 200,
          body: { object: 'spend', from: new Date(from).toISOString(), to: new Date(to).toISOString(), group_by: groupBy, total, data: rows },
          audit: { action: 'admin.spend.read', details: { groupBy } },
        };
      }
      case 'emergency-stop':
      case 'resume': {
        if (second !== undefined) break;
        if (method !== 'POST') throw methodNotAllowed(method, path);
        const stop = need(services.emergencyStop, 'The emergency stop');
        if (first === 'resume') {
          const state = await stop.resume('admin');
          return { status: 200, body: state, audit: { action: 'admin.resume' } };
        }
        const b = await body(ctx);
        const reason = typeof b.reason === 'string' ? b.reason : 'emergency stop';
        const state = await stop.stop('admin', reason);
        return { status: 200, body: state, audit: { action: 'admin.emergency_stop', details: { reason } } };
      }
      case 'users': {
        if (second === undefined || third !== 'data' || parts.length !== 3) break;
        if (method !== 'DELETE') throw methodNotAllowed(method, path);
        const audit = need(services.audit, 'The audit log');
        await services.auditBuffer?.flush();
        // The erase entry itself is the audit record of this action (it names the user only by pseudonym).
        const result = await audit.eraseUser(second, { actor: 'admin', requestId: ctx.requestId });
        return { status: 200, body: { object: 'user.data.erased', entries_erased: result.entriesErased, erase_entry_seq: result.eraseEntry.seq } };
      }
      case 'cache': {
        if (second !== 'stats' || third !== undefined) break;
        if (method !== 'GET') throw methodNotAllowed(method, path);
        const stores: CacheStoreStats[] = [];
        for (const store of services.cacheStores ?? []) {
          try {
            stores.push(await store.stats());
          } catch {
            // a store that cannot be read is left out of the report, not a failure of it
          }
        }
        const semantic = services.semanticCache;
        return {
          status: 200,
          body: {
            stats: services.cacheStats.snapshot(),
            stores,
            ...(semantic === undefined ? {} : { semantic: { mode: semantic.mode, threshold: semantic.threshold, entries: semantic.size, shadow: semantic.mode === 'shadow' ? semantic.shadowReport() : undefined } }),
          },
        };
      }
      case 'audit': {
        if (second !== 'verify' || third !== undefined) break;
        if (method !== 'GET') throw methodNotAllowed(method, path);
        const audit = need(services.audit, 'The audit log');
        await services.auditBuffer?.flush();
        const report = await audit.verify();
        return { status: 200, body: report, audit: { action: 'admin.audit.verify', details: { ok: report.ok, entriesChecked: report.entriesChecked } } };
      }
      case 'dlq': {
        const dlq = need(services.dlq, 'The dead-letter queue');
        if (second === undefined) {
          if (method !== 'GET') throw methodNotAllowed(method, path);
          const status = query.get('status');
          if (status !== null && !DLQ_STATUSES.includes(status as DeadLetterStatus)) throw new ConduitError('invalid_request', `status must be one of ${DLQ_STATUSES.join(', ')}`, { param: 'status' });
          const limitText = query.get('limit');
          const limit = limitText === null ? undefined : Number(limitText);
          if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new ConduitError('invalid_request', 'limit must be a positive integer', { param: 'limit' });
          const items = await dlq.list({ ...(status === null ? {} : { status: status as DeadLetterStatus }), ...(limit === undefined ? {} : { limit }) });
          const now = Date.now();
          return { status: 200, body: { count: items.length, items: items.map((item) => dlqSummary(item, now)) } };
        }
        if (third === undefined) {
          if (method !== 'GET') throw methodNotAllowed(method, path);
          const item = await dlq.get(second);
          if (item === undefined) throw new ConduitError('not_found', `No dead-letter item ${second}`, { code: 'dlq_item_not_found' });
          return { status: 200, body: item, audit: { action: 'admin.dlq.read', resource: second } };
        }
        if (parts.length !== 3) break;
        if (third === 'resolve') {
          if (method !== 'POST') throw methodNotAllowed(method, path);
          const b = await body(ctx);
          if (!('corrected_data' in b)) throw new ConduitError('invalid_request', 'corrected_data is required', { param: 'corrected_data' });
          const actor = typeof b.actor === 'string' && b.actor !== '' ? b.actor : 'admin';
          // Validated against the stored schema by the queue itself: an invalid correction is a 400 and leaves the item pending.
          const item = await dlq.resolve(second, b.corrected_data, actor);
          return { status: 200, body: item, audit: { action: 'admin.dlq.resolve', resource: second, details: { actor } } };
        }
        if (third === 'retry') {
          if (method !== 'POST') throw methodNotAllowed(method, path);
          const b = await body(ctx);
          if (b.model !== undefined && (typeof b.model !== 'string' || b.model === '')) throw new ConduitError('invalid_request', 'model must be a model name', { param: 'model' });
          const name = typeof b.model === 'string' ? b.model : ctx.gw.resolver.defaultModelName();
          let model: LanguageModel;
          try {
            model = ctx.gw.resolver.resolve(name);
          } catch (err) {
            const e = toConduitError(err);
            throw e.kind === 'not_found' ? new ConduitError('invalid_request', e.message, { param: 'model', code: 'model_not_found', cause: err }) : e;
          }
          const item = await dlq.retry(second, model);
          return { status: 200, body: item, audit: { action: 'admin.dlq.retry', resource: second, details: { model: name } } };
        }
        break;
      }
      default:
        break;
    }
    throw new ConduitError('not_found', `Unknown admin route: ${method} ${path}`, { code: 'unknown_route' });
  }

  async function record(ctx: RequestContext, answer: Answer | undefined, err: ConduitError | undefined, path: string): Promise<void> {
    const audit = services.audit;
    if (audit === undefined) return;
    const a = answer?.audit;
    if (a === undefined && err === undefined) return;
    try {
      await audit.append({
        requestId: ctx.requestId,
        actor: 'admin',
        action: a?.action ?? 'admin.request',
        resource: a?.resource ?? path,
        outcome: err === undefined ? 'success' : 'failure',
        details: { method: ctx.req.method ?? 'GET', path, ...(a?.details ?? {}), ...(err === undefined ? {} : { error: { kind: err.kind, code: err.code ?? null } }) },
      });
    } catch (e) {
      ctx.gw.logger?.error({ err: e, reqId: ctx.requestId }, 'audit append for an admin action failed');
    }
  }

  return {
    async handle(ctx, path) {
      let answer: Answer | undefined;
      try {
        const cred = extractCredential(ctx.req.headers);
        ctx.principal = requireMasterKey(cred.type === 'none' ? undefined : cred.value, services.masterKey);
      } catch (err) {
        ctx.sendError(toConduitError(err), [...NO_STORE]);
        return;
      }
      try {
        const url = ctx.req.url ?? path;
        const q = url.indexOf('?');
        answer = await route(ctx, pathOf(url), new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
      } catch (err) {
        const e = toConduitError(err);
        // Failed mutations are audited too; failed reads (404 on a typo) are not worth an entry.
        if ((ctx.req.method ?? 'GET') !== 'GET') await record(ctx, undefined, e, path);
        ctx.sendError(e, [...NO_STORE]);
        return;
      }
      await record(ctx, answer, undefined, path);
      ctx.sendJson(answer.status, JSON.stringify(answer.body), [...NO_STORE]);
    },
  };
}
