/**
 * `conduit keys|spend|audit|cache`: the policy state, read and changed directly in the configured
 * database (PostgreSQL via storage.database_url / DATABASE_URL, else the embedded database under
 * storage.state_dir), except `cache stats`, which asks the running gateway first.
 */
import { resolve } from 'node:path';
import { formatVerifyReport, runAuditVerifyCommand } from '../../audit/index.js';
import { createKeyService, derivePepper } from '../../auth/index.js';
import type { CreateKeyInput } from '../../auth/index.js';
import { CacheStatsCollector, SqlCacheStore, formatCacheStats } from '../../cache/index.js';
import type { CacheStatsSnapshot, CacheStoreStats } from '../../cache/index.js';
import { ConduitError } from '../../core/errors.js';
import { createUsageLedger } from '../../ledger/index.js';
import type { SpendGroupBy } from '../../ledger/index.js';
import { openDatabase } from '../../store/open-database.js';
import type { SqlDatabase } from '../../store/sql.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';

async function withDatabase<T>(ctx: CommandContext, fn: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const storage = ctx.loaded.config.storage;
  const db = await openDatabase({ ...(storage.database_url === undefined ? {} : { url: storage.database_url }), stateDir: resolve(ctx.io.cwd, storage.state_dir) });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} expects a positive integer, got '${value}'`);
  return n;
}

export async function runKeys(ctx: CommandContext): Promise<number> {
  const [sub, id] = ctx.args.args;
  const master = ctx.loaded.config.auth.master_key;
  if (master === undefined) throw new ConduitError('invalid_request', 'conduit keys needs the master key (CONDUIT_MASTER_KEY or auth.master_key): key hashes are peppered with it');
  const o = ctx.args.options;
  return withDatabase(ctx, async (db) => {
    const keys = await createKeyService({ db, pepper: derivePepper(master), lastUsedFlushMs: 0 });
    try {
      const out = ctx.io.stdout;
      if (sub === 'create') {
        if (o.name === undefined) throw new UsageError("'conduit keys create' needs --name");
        const input: CreateKeyInput = { name: o.name };
        if (o.team !== undefined) input.team = o.team;
        if (o.user !== undefined) input.ownerUserId = o.user;
        if (o.models !== undefined) input.allowedModels = o.models.split(',').map((m) => m.trim()).filter((m) => m !== '');
        const rpm = positiveInt(o.rpm, 'rpm');
        const tpm = positiveInt(o.tpm, 'tpm');
        if (rpm !== undefined || tpm !== undefined) input.limits = { ...(rpm === undefined ? {} : { requestsPerMinute: rpm }), ...(tpm === undefined ? {} : { tokensPerMinute: tpm }) };
        const created = await keys.create(input);
        if (ctx.args.json) out.write(JSON.stringify({ key: created.key, ...created.record }, null, 2) + '\n');
        else out.write(`${created.key}\n`);
        ctx.io.stderr.write(`Created key ${created.record.id} (${created.record.name}). The secret above is shown only this once.\n`);
        return 0;
      }
      if (sub === 'list') {
        const list = await keys.list({});
        if (ctx.args.json) out.write(JSON.stringify(list, null, 2) + '\n');
        else for (const k of list) out.write(`${k.id}  ${k.name}${k.team === null ? '' : `  team=${k.team}`}${k.ownerUserId === null ? '' : `  user=${k.ownerUserId}`}  created ${k.createdAt}\n`);
        return 0;
      }
      if (sub === 'revoke') {
        if (id === undefined) throw new UsageError("'conduit keys revoke' needs the key id");
        const record = await keys.revoke(id);
        out.write(`revoked ${record.id} at ${record.revokedAt ?? ''}\n`);
        return 0;
      }
      throw new UsageError("'conduit keys' expects create, list or revoke <id>");
    } finally {
      await keys.close();
    }
  });
}

export async function runSpend(ctx: CommandContext): Promise<number> {
  const o = ctx.args.options;
  const now = Date.now();
  const d = new Date(now);
  const parse = (v: string | undefined, name: string, fallback: number): number => {
    if (v === undefined) return fallback;
    const ms = Date.parse(v);
    if (!Number.isFinite(ms)) throw new UsageError(`--${name} expects a date or ISO 8601 time, got '${v}'`);
    return ms;
  };
  const from = parse(o.from, 'from', Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const to = parse(o.to, 'to', now + 1);
  const groupBy = (o.groupBy ?? 'key') as SpendGroupBy;
  if (!['key', 'user', 'team', 'model', 'provider', 'day'].includes(groupBy)) throw new UsageError(`--group-by expects key, user, team, model, provider or day, got '${groupBy}'`);
  return withDatabase(ctx, async (db) => {
    const ledger = await createUsageLedger({ db });
    const rows = await ledger.spend({ from, to, groupBy });
    const out = ctx.io.stdout;
    if (ctx.args.json) {
      out.write(JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), group_by: groupBy, data: rows }, null, 2) + '\n');
      return 0;
    }
    out.write(`spend ${new Date(from).toISOString()} .. ${new Date(to).toISOString()} by ${groupBy}\n`);
    for (const r of rows) out.write(`${(r.group ?? '(none)').padEnd(24)} $${r.costUsd.toFixed(6)}  ${r.requests} requests  ${r.inputTokens} in / ${r.outputTokens} out${r.unpricedRequests > 0 ? `  (${r.unpricedRequests} unpriced)` : ''}\n`);
    return 0;
  });
}

export async function runAudit(ctx: CommandContext): Promise<number> {
  if (ctx.args.args[0] !== 'verify' || ctx.args.args.length !== 1) throw new UsageError("'conduit audit' expects: verify");
  return withDatabase(ctx, async (db) => {
    const { ok, report } = await runAuditVerifyCommand(db);
    (ok ? ctx.io.stdout : ctx.io.stderr).write(formatVerifyReport(report) + '\n');
    return ok ? 0 : 1;
  });
}

export async function runCache(ctx: CommandContext): Promise<number> {
  if (ctx.args.args[0] !== 'stats' || ctx.args.args.length !== 1) throw new UsageError("'conduit cache' expects: stats");
  const { config } = ctx.loaded;
  let stats: CacheStatsSnapshot | undefined;
  let stores: CacheStoreStats[] = [];
  const master = config.auth.master_key;
  if (master !== undefined) {
    const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host;
    try {
      const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}/admin/cache/stats`, { headers: { authorization: `Bearer ${master}` }, signal: AbortSignal.timeout(3000) });
      if (res.ok) {
        const body = (await res.json()) as { stats: CacheStatsSnapshot; stores: CacheStoreStats[] };
        stats = body.stats;
        stores = body.stores;
      } else ctx.io.stderr.write(`gateway answered ${res.status}; showing the local store\n`);
    } catch {
      ctx.io.stderr.write('no gateway reachable; showing the local store\n');
    }
  }
  if (stats === undefined) {
    stats = new CacheStatsCollector().snapshot();
    if (config.cache?.exact?.backend === 'sql') stores = [await withDatabase(ctx, async (db) => (await SqlCacheStore.open(db)).stats())];
  }
  ctx.io.stdout.write(ctx.args.json ? JSON.stringify({ stats, stores }, null, 2) + '\n' : formatCacheStats(stats, stores) + '\n');
  return 0;
}
