/**
 * `/v1/incidents/*` on the gateway: alert ingestion (Alertmanager v4 webhook, generic JSON),
 * change and log pushes, the incident list and timeline, approvals and resolution.
 *
 * Authentication: a request passes when the gateway's admission identified a principal (virtual
 * key, JWT, master key), or when it carries `Authorization: Bearer <incident.webhook_token>` —
 * what Alertmanager's `http_config.authorization` sends. With neither configured every request is
 * refused: an open alert endpoint would let anyone page on-call or trigger remediations.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ConduitError } from '../../../core/errors.js';
import { principalLabel, type Principal } from '../../../auth/principal.js';
import { pathSegments, queryOf, readJsonBody, type AppRoutes } from '../../../gateway/app-routes.js';
import type { RequestContext } from '../../../gateway/context.js';
import { parseAlertmanagerPayload } from '../ingest/alertmanager.js';
import { alertItemsOf, DEFAULT_JSON_MAPPING, mapJsonAlerts, type JsonAlertMapping } from '../ingest/json-mapping.js';
import type { IncidentService } from '../incident-service.js';
import type { SignalStore } from '../store/signal-store.js';

export const INCIDENT_ROUTE_PREFIX = '/v1/incidents';

export interface IncidentRoutesOptions {
  /** The service, or a function opening it on first use (storage is opened lazily on `conduit serve`). */
  service: IncidentService | (() => Promise<IncidentService>);
  signals: SignalStore | (() => Promise<SignalStore>);
  /** Bearer token accepted on every incident route (Alertmanager, scripts, the CLI). */
  token?: string;
  jsonMapping?: JsonAlertMapping;
  close?: () => Promise<void>;
}

/** principalLabel's form, except that the master key acts as `admin` in the incident timeline. */
function principalName(principal: Principal | undefined): string | undefined {
  if (principal === undefined) return undefined;
  return principal.kind === 'master' ? 'admin' : principalLabel(principal);
}

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined || token === '' || header === undefined) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (m === null) return false;
  const a = Buffer.from(m[1] ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const decisionSchema = z.strictObject({ decision: z.enum(['approve', 'deny']), reason: z.string().max(2000).optional(), by: z.string().min(1).max(200).optional() });
const resolveSchema = z.strictObject({ note: z.string().max(10_000), by: z.string().min(1).max(200).optional() });
const ackSchema = z.strictObject({ by: z.string().min(1).max(200).optional() });
const changeSchema = z.strictObject({
  service: z.string().min(1).max(200),
  kind: z.string().min(1).max(100).default('deploy'),
  description: z.string().max(2000).default(''),
  at: z.iso.datetime({ offset: true }).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
const logLineSchema = z.strictObject({
  at: z.iso.datetime({ offset: true }).optional(),
  service: z.string().min(1).max(200),
  level: z.string().max(20).default('info'),
  message: z.string().min(1).max(20_000),
  labels: z.record(z.string(), z.string()).default({}),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new ConduitError('invalid_request', `Invalid ${what}${issue === undefined ? '' : ` at '${issue.path.join('.') || '(root)'}': ${issue.message}`}`, { code: 'invalid_incident_request' });
}

function lazy<T>(v: T | (() => Promise<T>)): () => Promise<T> {
  if (typeof v !== 'function') return () => Promise.resolve(v);
  let p: Promise<T> | undefined;
  return () => {
    p ??= (v as () => Promise<T>)().catch((err: unknown) => {
      p = undefined;
      throw err;
    });
    return p;
  };
}

export function createIncidentRoutes(options: IncidentRoutesOptions): AppRoutes {
  const service = lazy(options.service);
  const signals = lazy(options.signals);
  const send = (ctx: RequestContext, status: number, body: unknown): void => ctx.sendJson(status, JSON.stringify(body));

  function authenticate(ctx: RequestContext): void {
    if (ctx.principal !== undefined) return;
    if (tokenMatches(ctx.req.headers.authorization, options.token)) return;
    if (options.token === undefined || options.token === '') {
      throw new ConduitError('authentication', 'Incident routes need authentication: set incident.webhook_token (sent as a Bearer token) or configure gateway keys', { code: 'incident_auth_not_configured' });
    }
    throw new ConduitError('authentication', 'Missing or wrong incident token (Authorization: Bearer <incident.webhook_token>)', { code: 'invalid_incident_token' });
  }

  const actor = (ctx: RequestContext, claimed: string | undefined): string => principalName(ctx.principal) ?? claimed ?? 'incident-token';

  return {
    name: 'incidents',
    matches: (path) => path === INCIDENT_ROUTE_PREFIX || path.startsWith(`${INCIDENT_ROUTE_PREFIX}/`),
    async handle(ctx, path) {
      authenticate(ctx);
      const method = ctx.req.method ?? 'GET';
      const seg = pathSegments(path, INCIDENT_ROUTE_PREFIX) ?? [];
      const [first, second, third, fourth] = seg;

      if (method === 'POST' && first === 'alerts' && second === 'alertmanager' && seg.length === 2) {
        const alerts = parseAlertmanagerPayload(await readJsonBody(ctx));
        return send(ctx, 200, await (await service()).ingest(alerts));
      }
      if (method === 'POST' && first === 'alerts' && seg.length === 1) {
        const alerts = mapJsonAlerts(await readJsonBody(ctx), options.jsonMapping ?? DEFAULT_JSON_MAPPING);
        return send(ctx, 200, await (await service()).ingest(alerts));
      }
      if (method === 'POST' && first === 'changes' && seg.length === 1) {
        const items = alertItemsOf(await readJsonBody(ctx)).map((c) => parse(changeSchema, c, 'change'));
        const store = await signals();
        const now = new Date().toISOString();
        const stored = [];
        for (const c of items) stored.push(await store.addChange({ service: c.service, kind: c.kind, description: c.description, at: c.at ?? now, metadata: c.metadata }));
        return send(ctx, 201, { changes: stored });
      }
      if (method === 'POST' && first === 'logs' && seg.length === 1) {
        const body = await readJsonBody(ctx);
        const raw = body !== null && typeof body === 'object' && !Array.isArray(body) && Array.isArray((body as { lines?: unknown }).lines) ? (body as { lines: unknown[] }).lines : alertItemsOf(body);
        const now = new Date().toISOString();
        const lines = raw.map((l) => parse(logLineSchema, l, 'log line')).map((l) => ({ at: l.at ?? now, service: l.service, level: l.level, message: l.message, labels: l.labels }));
        return send(ctx, 201, { stored: await (await signals()).addLogs(lines) });
      }
      if (method === 'GET' && seg.length === 0) {
        const q = queryOf(ctx);
        const status = q.get('status');
        if (status !== null && !['open', 'acknowledged', 'resolved'].includes(status)) throw new ConduitError('invalid_request', "status must be open, acknowledged or resolved", { code: 'invalid_incident_request' });
        const limit = q.get('limit');
        const incidents = await (await service()).listIncidents({
          ...(status === null ? {} : { status: status as 'open' | 'acknowledged' | 'resolved' }),
          ...(limit === null ? {} : { limit: Number.parseInt(limit, 10) || 50 }),
        });
        return send(ctx, 200, { object: 'list', data: incidents });
      }
      if (method === 'GET' && first === 'muted' && seg.length === 1) {
        return send(ctx, 200, { object: 'list', data: await (await service()).listMutedAlerts() });
      }
      if (first !== undefined && seg.length === 1 && method === 'GET') {
        return send(ctx, 200, await (await service()).getIncident(first));
      }
      if (first !== undefined && second === 'approvals' && third !== undefined && fourth === undefined && method === 'POST') {
        const body = parse(decisionSchema, await readJsonBody(ctx), 'approval decision');
        const result = await (await service()).decideApproval(first, third, { decision: body.decision, by: actor(ctx, body.by), ...(body.reason === undefined ? {} : { reason: body.reason }) });
        return send(ctx, 200, result);
      }
      if (first !== undefined && second === 'acknowledge' && seg.length === 2 && method === 'POST') {
        const body = parse(ackSchema, await readJsonBody(ctx).catch(() => ({})), 'acknowledgement');
        return send(ctx, 200, await (await service()).acknowledge(first, actor(ctx, body.by)));
      }
      if (first !== undefined && second === 'resolve' && seg.length === 2 && method === 'POST') {
        const body = parse(resolveSchema, await readJsonBody(ctx), 'resolution');
        return send(ctx, 200, await (await service()).resolve(first, { by: actor(ctx, body.by), note: body.note }));
      }
      throw new ConduitError('not_found', `No incident route ${method} ${path}`, { code: 'route_not_found' });
    },
    ...(options.close === undefined ? {} : { close: options.close }),
  };
}
