/**
 * `conduit incident serve|alert|list|show|approve|deny|resolve|ack`. `serve` is `conduit serve`
 * with the `incident:` section required; the others are clients of a running gateway's
 * `/v1/incidents` routes (the embedded database belongs to that gateway while it runs), using
 * `--url` (default: the configured server) and `--api-key` (default: incident.webhook_token).
 */
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { ConduitError } from '../../core/errors.js';
import type { AuditLog } from '../../audit/index.js';
import type { ConduitConfig, IncidentConfig } from '../../config/schema.js';
import type { AppRoutes } from '../../gateway/app-routes.js';
import type { ModelRegistry } from '../../models/registry/index.js';
import type { GatewayMetrics } from '../../observability/metrics.js';
import type { SqlDatabase } from '../../store/sql.js';
import { createServeIncidentRoutes } from '../../apps/incident/http/serve-incident-routes.js';
import { SEVERITIES } from '../../apps/incident/alert.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { runServe } from './serve.js';

const SUBCOMMANDS = ['serve', 'alert', 'list', 'show', 'approve', 'deny', 'resolve', 'ack', 'logs', 'change'] as const;

/** The incident routes for `conduit serve` (called from serve.ts). */
export function incidentRoutesFor(
  config: IncidentConfig,
  deps: { registry: ModelRegistry; openDb: () => Promise<SqlDatabase>; cwd: string; metrics: GatewayMetrics; logger: Logger; audit?: AuditLog },
): AppRoutes {
  const modelName = config.model;
  return createServeIncidentRoutes({
    config,
    openDb: deps.openDb,
    cwd: deps.cwd,
    ...(modelName === undefined ? {} : { resolveModel: () => deps.registry.resolve(modelName) }),
    ...(config.diagnosis.memory ? { resolveEmbedder: () => deps.registry.resolveEmbedding(deps.registry.defaultEmbeddingModelName()) } : {}),
    ...(deps.audit === undefined ? {} : { audit: deps.audit }),
    metricsRegistry: deps.metrics.registry as Registry,
    onError: (err, step) => deps.logger.warn({ err, step }, 'incident pipeline step failed'),
  });
}

export async function runIncident(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args.args;
  if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`conduit incident needs a subcommand: ${SUBCOMMANDS.join(', ')}${sub === undefined ? '' : ` (got '${sub}')`}`);
  }
  const config = ctx.loaded.config;
  if (sub === 'serve') {
    if (config.incident === undefined) throw new UsageError("conduit incident serve needs an 'incident:' section in the configuration (see examples/incident/conduit.yaml)");
    if (rest.length > 0) throw new UsageError(`conduit incident serve takes no arguments, got '${rest.join(' ')}'`);
    return runServe(ctx);
  }
  const client = clientOf(ctx, config);
  switch (sub) {
    case 'alert':
      return alertCommand(ctx, client, rest);
    case 'list': {
      const status = ctx.args.options.status;
      const answer = (await client.call('GET', `/v1/incidents${status === undefined ? '' : `?status=${encodeURIComponent(status)}`}`)) as { data: { id: string; key: string; status: string; severity: string; title: string; alertCount: number; createdAt: string }[] };
      if (ctx.args.json) return print(ctx, answer);
      if (answer.data.length === 0) ctx.io.stdout.write('No incidents.\n');
      for (const i of answer.data) ctx.io.stdout.write(`${i.key.padEnd(8)} ${i.id}  ${i.status.padEnd(12)} ${i.severity.padEnd(8)} ${String(i.alertCount).padStart(3)} alerts  ${i.title}\n`);
      return 0;
    }
    case 'show':
      return print(ctx, await client.call('GET', `/v1/incidents/${encodeURIComponent(one(rest, 'show <incident-id>'))}`));
    case 'approve':
    case 'deny': {
      if (rest.length !== 2) throw new UsageError(`usage: conduit incident ${sub} <incident-id> <approval-id> [--reason <text>]`);
      const [id = '', approval = ''] = rest;
      const reason = ctx.args.options.reason;
      return print(ctx, await client.call('POST', `/v1/incidents/${encodeURIComponent(id)}/approvals/${encodeURIComponent(approval)}`, { decision: sub === 'approve' ? 'approve' : 'deny', ...(reason === undefined ? {} : { reason }) }));
    }
    case 'ack':
      return print(ctx, await client.call('POST', `/v1/incidents/${encodeURIComponent(one(rest, 'ack <incident-id>'))}/acknowledge`, {}));
    case 'logs':
      return logsCommand(ctx, client, rest);
    case 'change': {
      const service = one(rest, 'change <service> [--summary <what changed>] [--status <kind, default deploy>]');
      return print(ctx, await client.call('POST', '/v1/incidents/changes', { service, kind: ctx.args.options.status ?? 'deploy', description: ctx.args.options.summary ?? '' }));
    }
    default: {
      const note = ctx.args.options.note;
      if (note === undefined) throw new UsageError('usage: conduit incident resolve <incident-id> --note "<what fixed it>"');
      return print(ctx, await client.call('POST', `/v1/incidents/${encodeURIComponent(one(rest, 'resolve <incident-id> --note <text>'))}/resolve`, { note }));
    }
  }
}

function one(rest: readonly string[], usage: string): string {
  if (rest.length !== 1 || rest[0] === undefined) throw new UsageError(`usage: conduit incident ${usage}`);
  return rest[0];
}

function print(ctx: CommandContext, value: unknown): number {
  ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

/** `conduit incident alert <name> [key=value ...] [--severity s] [--summary text] [--status firing|resolved]` */
async function alertCommand(ctx: CommandContext, client: IncidentClient, rest: readonly string[]): Promise<number> {
  const [name, ...pairs] = rest;
  if (name === undefined || name.includes('=')) throw new UsageError('usage: conduit incident alert <name> [label=value ...] [--severity <s>] [--summary <text>] [--status firing|resolved]');
  const labels: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`labels are given as key=value, got '${p}'`);
    labels[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const { severity, summary, status } = ctx.args.options;
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) throw new UsageError(`--severity must be one of ${SEVERITIES.join(', ')}`);
  if (status !== undefined && status !== 'firing' && status !== 'resolved') throw new UsageError('--status must be firing or resolved');
  const answer = (await client.call('POST', '/v1/incidents/alerts', {
    name,
    labels: { ...labels, source: labels.source ?? 'cli' },
    ...(severity === undefined ? {} : { severity }),
    ...(summary === undefined ? {} : { summary }),
    ...(status === undefined ? {} : { status }),
  })) as { outcomes: { outcome: string; incidentId: string | null; noise?: { score: number; reasons: { detail: string }[] } }[] };
  if (ctx.args.json) return print(ctx, answer);
  for (const o of answer.outcomes) {
    const why = o.noise !== undefined && o.noise.reasons.length > 0 ? ` (noise ${o.noise.score}: ${o.noise.reasons.map((r) => r.detail).join('; ')})` : '';
    ctx.io.stdout.write(`${o.outcome}${o.incidentId === null ? '' : ` ${o.incidentId}`}${why}\n`);
  }
  return 0;
}

const LOG_BATCH = 500;
const LEVEL = /\b(fatal|critical|error|warn(?:ing)?|info|debug)\b/i;

/**
 * `conduit incident logs <file> --service <s>`: feeds Conduit's own log store from a file. JSON lines
 * keep their `at`/`time`/`timestamp`, `level` and `message`/`msg`; plain lines are stamped now and
 * their level guessed from the first level word.
 */
async function logsCommand(ctx: CommandContext, client: IncidentClient, rest: readonly string[]): Promise<number> {
  const file = one(rest, 'logs <file> --service <name>');
  const service = ctx.args.options.service;
  if (service === undefined) throw new UsageError('conduit incident logs needs --service <name>');
  const { readFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  const now = new Date().toISOString();
  const lines = (await readFile(resolve(ctx.io.cwd, file), 'utf8'))
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((raw) => {
      let obj: Record<string, unknown> | undefined;
      try {
        const v: unknown = JSON.parse(raw);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) obj = v as Record<string, unknown>;
      } catch {
        /* a plain text line */
      }
      const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
      const time = obj === undefined ? undefined : str(obj.at) ?? str(obj.time) ?? str(obj.timestamp);
      const at = time !== undefined && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString() : now;
      const message = (obj === undefined ? undefined : str(obj.message) ?? str(obj.msg)) ?? raw;
      const level = ((obj === undefined ? undefined : str(obj.level)) ?? LEVEL.exec(message)?.[1] ?? 'info').toLowerCase().slice(0, 20);
      return { at, service, level, message: message.slice(0, 20_000) };
    });
  let stored = 0;
  for (let i = 0; i < lines.length; i += LOG_BATCH) stored += ((await client.call('POST', '/v1/incidents/logs', { lines: lines.slice(i, i + LOG_BATCH) })) as { stored: number }).stored;
  ctx.io.stdout.write(`stored ${stored} log line${stored === 1 ? '' : 's'} for ${service}\n`);
  return 0;
}

interface IncidentClient {
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
}

function clientOf(ctx: CommandContext, config: ConduitConfig): IncidentClient {
  const base = (ctx.args.options.url ?? `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${config.server.port}`).replace(/\/+$/, '');
  const key = ctx.args.options.apiKey ?? config.incident?.webhook_token ?? ctx.io.env.CONDUIT_API_KEY;
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw new ConduitError('provider_error', `Cannot reach the gateway at ${base} (start it with 'conduit incident serve', or pass --url): ${err instanceof Error ? err.message : String(err)}`, { code: 'gateway_unreachable' });
      }
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      if (!res.ok) {
        const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message ?? text.slice(0, 300);
        throw new ConduitError('invalid_request', `${method} ${path} answered ${res.status}: ${message}`, { code: 'incident_request_failed' });
      }
      return parsed;
    },
  };
}
