/**
 * conduit.yaml → the policy layer: maps the snake_case sections onto the libraries' options and
 * opens only the storage a configured feature needs. Nothing configured → nothing opened, and
 * `policy` is undefined so the gateway keeps its bare hot path.
 *
 * Storage: `storage.database_url` (DATABASE_URL) → PostgreSQL, else embedded PGlite under
 * `storage.state_dir`; opened when keys (a master key), budgets, the audit log or the SQL cache
 * backend are on, or `dlq.enabled`. `storage.redis_url` (REDIS_URL) → Redis adapters for rate limits, budgets, the
 * cache (backend `redis`) and the emergency stop, else in-process. Migrations run at start.
 */
import type { Logger } from 'pino';
import { createAuditBuffer, createAuditLog, resolveAuditKey } from '../../audit/index.js';
import type { AuditBuffer, AuditLog } from '../../audit/index.js';
import { createJwtVerifier, createKeyService, derivePepper } from '../../auth/index.js';
import type { JwtVerifierConfig, KeyService } from '../../auth/index.js';
import { createEmbeddedBudgetStore, createRedisBudgetStore, createWebhookNotifier } from '../../budgets/index.js';
import type { BudgetRule } from '../../budgets/index.js';
import { CacheStatsCollector, MemoryCacheStore, RedisCacheStore, SqlCacheStore, createSemanticCache } from '../../cache/index.js';
import type { CacheStore, SemanticCache } from '../../cache/index.js';
import type { ConduitConfig } from '../../config/schema.js';
import { guardrailsToCamel } from '../../config/policy-schema.js';
import { parseGuardrailPolicy } from '../../guardrails/index.js';
import { createLedgerBuffer, createUsageLedger } from '../../ledger/index.js';
import type { LedgerBuffer, UsageLedger } from '../../ledger/index.js';
import type { PriceTable } from '../../models/pricing/index.js';
import { EmbeddedEmergencyStop, EmbeddedRateLimiter, RedisEmergencyStop, RedisRateLimiter, RunawayDetector } from '../../ratelimit/index.js';
import type { EmergencyStop, RateLimiter } from '../../ratelimit/index.js';
import { openDatabase } from '../../store/open-database.js';
import type { SqlDatabase } from '../../store/sql.js';
import { openRedis } from '../../store/redis/index.js';
import type { RedisConnection } from '../../store/redis/index.js';
import { createDeadLetterQueue } from '../../structured/dlq.js';
import type { DeadLetterQueue } from '../../structured/dlq.js';
import type { GatewayMetrics } from '../../observability/metrics.js';
import { createAdminHandler } from '../admin/admin-api.js';
import type { AdminHandler, GatewayPolicy } from './gateway-policy.js';
import { createGatewayPolicy } from './create-gateway-policy.js';
import type { LimitPair, PolicyServices, RateLimitSettings } from './policy-services.js';

export interface OpenPoliciesOptions {
  priceTable: PriceTable;
  logger?: Logger;
  /** For CONDUIT_AUDIT_KEY (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The gateway's metrics (pass the same object to createGateway): receives the `dlq_*` gauges when `dlq.enabled`. */
  metrics?: GatewayMetrics;
}

export interface OpenedPolicies {
  /** Undefined when no policy is configured (the bare gateway). */
  policy: GatewayPolicy | undefined;
  /** Undefined without a master key: the gateway then refuses `/admin/*`. */
  admin: AdminHandler | undefined;
  services: PolicyServices | undefined;
  db: SqlDatabase | undefined;
  redis: RedisConnection | undefined;
  /** The structured-output dead-letter queue, when `dlq.enabled` (on `db`). */
  dlq: DeadLetterQueue | undefined;
  /** Database and Redis checks for `/ready` (empty when neither is used). */
  readiness(): Promise<Record<string, boolean | string>>;
  /** Things an operator must know at start (e.g. model routes open without a master key). */
  warnings: string[];
  /** Flushes buffers and closes everything opened here. */
  close(): Promise<void>;
}

function limitPair(pair: { requests_per_minute?: number | undefined; tokens_per_minute?: number | undefined } | undefined): LimitPair | undefined {
  if (pair === undefined) return undefined;
  const out: LimitPair = {};
  if (pair.requests_per_minute !== undefined) out.requestsPerMinute = pair.requests_per_minute;
  if (pair.tokens_per_minute !== undefined) out.tokensPerMinute = pair.tokens_per_minute;
  return out;
}

function jwtConfig(jwt: NonNullable<ConduitConfig['auth']['jwt']>): JwtVerifierConfig {
  const out: JwtVerifierConfig = { audience: jwt.audience };
  if (jwt.hs256_secret !== undefined) out.hs256Secret = jwt.hs256_secret;
  if (jwt.rs256_public_key !== undefined) out.rs256PublicKey = jwt.rs256_public_key;
  if (jwt.jwks_file !== undefined) out.jwksFile = jwt.jwks_file;
  if (jwt.jwks_url !== undefined) out.jwksUrl = jwt.jwks_url;
  if (jwt.issuer !== undefined) out.issuer = jwt.issuer;
  if (jwt.team_claim !== undefined) out.teamClaim = jwt.team_claim;
  if (jwt.admin_scopes !== undefined) out.adminScopes = jwt.admin_scopes;
  if (jwt.model_scopes !== undefined) out.modelScopes = jwt.model_scopes;
  if (jwt.model_scope_prefix !== undefined) out.modelScopePrefix = jwt.model_scope_prefix;
  return out;
}

/** Fire-and-forget JSON POST of an operational alert (runaway incidents). */
function postAlert(url: string | undefined, body: unknown, logger: Logger | undefined): void {
  if (url === undefined) return;
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) }).catch((err: unknown) =>
    logger?.warn({ err }, 'alert webhook delivery failed'),
  );
}

export async function openPolicies(config: ConduitConfig, options: OpenPoliciesOptions): Promise<OpenedPolicies> {
  const { logger } = options;
  const storage = config.storage;
  const masterKey = config.auth.master_key;
  const audited = config.audit !== undefined && config.audit.enabled;
  const exactCfg = config.cache?.exact !== undefined && config.cache.exact.enabled ? config.cache.exact : undefined;
  const semanticCfg = config.cache?.semantic !== undefined && config.cache.semantic.enabled ? config.cache.semantic : undefined;
  const limitsCfg = config.rate_limits;
  const budgetsOn = config.budgets.length > 0 || masterKey !== undefined; // keys may carry budgets
  const runawayCfg = config.runaway !== undefined && config.runaway.enabled ? config.runaway : undefined;
  const dlqCfg = config.dlq !== undefined && config.dlq.enabled ? config.dlq : undefined;
  const anyModelPolicy =
    masterKey !== undefined || audited || exactCfg !== undefined || semanticCfg !== undefined || limitsCfg !== undefined || config.budgets.length > 0 || runawayCfg !== undefined || config.guardrails !== undefined;
  const anyPolicy = anyModelPolicy || dlqCfg !== undefined;

  const warnings: string[] = [];
  if (masterKey === undefined) {
    warnings.push('No master key (CONDUIT_MASTER_KEY / auth.master_key): model routes are OPEN to anyone who can reach this port, and /admin/* is disabled.');
  }
  const closers: (() => Promise<void>)[] = [];
  const empty: OpenedPolicies = { policy: undefined, admin: undefined, services: undefined, db: undefined, redis: undefined, dlq: undefined, readiness: async () => ({}), warnings, close: async () => {} };
  if (!anyPolicy) return empty;

  try {
    const policiesNeedDb = masterKey !== undefined || config.budgets.length > 0 || audited || exactCfg?.backend === 'sql';
    let db: SqlDatabase | undefined;
    if (policiesNeedDb || dlqCfg !== undefined) {
      db = await openDatabase({ ...(storage.database_url === undefined ? {} : { url: storage.database_url }), stateDir: storage.state_dir });
      const opened = db;
      closers.push(() => opened.close());
    }
    const needsRedis = storage.redis_url !== undefined && (limitsCfg !== undefined || budgetsOn || masterKey !== undefined || exactCfg?.backend === 'redis');
    let redis: RedisConnection | undefined;
    if (needsRedis) {
      redis = openRedis(storage.redis_url!, { prefix: storage.redis_prefix, connectionName: 'conduit-gateway', onError: (err) => logger?.debug({ err }, 'redis connection error') });
      const opened = redis;
      closers.push(() => opened.close());
      await redis.ensureConnected().catch((err: unknown) => logger?.warn({ err }, 'Redis is not reachable yet; policies using it follow their fail mode until it is'));
    }
    if (exactCfg?.backend === 'redis' && redis === undefined) throw new Error('cache.exact.backend is redis but no storage.redis_url / REDIS_URL is set');

    const services: PolicyServices = { priceTable: options.priceTable, cacheStats: new CacheStatsCollector(), durableWrites: storage.durable_writes };
    if (logger !== undefined) services.logger = logger;

    // Identity
    let keys: KeyService | undefined;
    if (masterKey !== undefined) {
      services.masterKey = masterKey;
      keys = await createKeyService({ db: db!, pepper: derivePepper(masterKey), cacheTtlMs: config.auth.key_cache_ttl_ms, onBackgroundError: (err) => logger?.warn({ err }, 'API key store background work failed (lastUsedAt write or key refresh)') });
      services.keys = keys;
      const k = keys;
      closers.unshift(() => k.close());
      if (config.auth.jwt !== undefined) services.jwt = await createJwtVerifier(jwtConfig(config.auth.jwt));
      let stop: EmergencyStop;
      if (redis !== undefined) stop = await RedisEmergencyStop.open(redis);
      else stop = new EmbeddedEmergencyStop();
      services.emergencyStop = stop;
      closers.unshift(() => stop.close());
    }

    // Ledger: whenever a policy uses the database (spend reports, budget rebuilds); the DLQ alone does not need one.
    let ledger: UsageLedger | undefined;
    let ledgerBuffer: LedgerBuffer | undefined;
    if (db !== undefined && policiesNeedDb) {
      ledger = await createUsageLedger({ db });
      ledgerBuffer = createLedgerBuffer(ledger, {
        awaitDurable: storage.durable_writes,
        maxDelayMs: storage.durable_writes ? 2 : 50,
        onError: (err, dropped) => logger?.error({ err, dropped }, 'usage ledger write failed'),
      });
      services.ledger = ledger;
      services.ledgerBuffer = ledgerBuffer;
      const lb = ledgerBuffer;
      closers.unshift(() => lb.close());
    }

    // Rate limits and runaway protection
    if (limitsCfg !== undefined) {
      const settings: RateLimitSettings = { failMode: limitsCfg.fail_mode, models: {} };
      const perKey = limitPair(limitsCfg.per_key);
      const perUser = limitPair(limitsCfg.per_user);
      const perTeam = limitPair(limitsCfg.per_team);
      const global = limitPair(limitsCfg.global);
      if (perKey !== undefined) settings.perKey = perKey;
      if (perUser !== undefined) settings.perUser = perUser;
      if (perTeam !== undefined) settings.perTeam = perTeam;
      if (global !== undefined) settings.global = global;
      for (const [model, pair] of Object.entries(limitsCfg.models)) settings.models[model] = limitPair(pair)!;
      services.limits = settings;
    }
    if (limitsCfg !== undefined || masterKey !== undefined) {
      // Keys may carry limits of their own, so a limiter exists whenever keys do.
      services.limits ??= { failMode: 'closed', models: {} };
      const limiter: RateLimiter = redis !== undefined ? new RedisRateLimiter(redis, { failMode: services.limits.failMode }) : new EmbeddedRateLimiter();
      services.limiter = limiter;
      closers.unshift(() => limiter.close());
    }
    const webhook = config.alerts?.webhook_url;
    if (runawayCfg !== undefined) {
      services.runaway = new RunawayDetector({
        factor: runawayCfg.factor,
        onAlert: (incident) => {
          logger?.warn({ incident }, 'runaway traffic: throttling');
          postAlert(webhook, { type: 'runaway', ...incident }, logger);
        },
        onClear: (incident, endedAt) => logger?.info({ incident, endedAt }, 'runaway traffic back to normal'),
      });
    }

    // Budgets
    if (budgetsOn) {
      const rules: BudgetRule[] = config.budgets.map((b) => ({
        id: b.id,
        scope: b.scope,
        window: b.window,
        limitUsd: b.limit_usd,
        ...(b.name === undefined ? {} : { name: b.name }),
        ...(b.scope_id === undefined ? {} : { scopeId: b.scope_id }),
        ...(b.soft_alert_at === undefined ? {} : { softAlertAt: b.soft_alert_at }),
      }));
      services.budgets = {
        store: redis !== undefined ? createRedisBudgetStore({ redis }) : createEmbeddedBudgetStore(),
        rules,
        failMode: config.budget_fail_mode,
        ...(ledger === undefined ? {} : { ledger }),
        ...(webhook === undefined ? {} : { onAlert: createWebhookNotifier({ url: webhook }) }),
      };
    }

    // Caches
    const cacheStores: CacheStore[] = [];
    if (exactCfg !== undefined) {
      const store: CacheStore =
        exactCfg.backend === 'sql'
          ? await SqlCacheStore.open(db!)
          : exactCfg.backend === 'redis'
            ? new RedisCacheStore(redis!.client, { prefix: redis!.key('cache') + ':' })
            : new MemoryCacheStore(exactCfg.max_entries === undefined ? {} : { maxEntries: exactCfg.max_entries });
      cacheStores.push(store);
      services.exactCache = { store, ttlMs: exactCfg.ttl_ms };
    }
    let semantic: SemanticCache | undefined;
    if (semanticCfg !== undefined) {
      semantic = createSemanticCache({
        threshold: semanticCfg.threshold,
        mode: semanticCfg.mode,
        stats: services.cacheStats,
        ...(semanticCfg.ttl_ms === undefined ? {} : { ttlMs: semanticCfg.ttl_ms }),
        onError: (err) => logger?.warn({ err }, 'semantic cache problem'),
      });
      services.semanticCache = semantic;
    }

    // Guardrails
    if (config.guardrails !== undefined) services.guardrails = parseGuardrailPolicy(guardrailsToCamel(config.guardrails));

    // Audit
    let audit: AuditLog | undefined;
    let auditBuffer: AuditBuffer | undefined;
    if (audited) {
      const auditCfg = config.audit!;
      const encryptionKey = resolveAuditKey({ ...(auditCfg.encryption_key === undefined ? {} : { configKey: auditCfg.encryption_key }), env: options.env ?? process.env });
      if (auditCfg.content === 'encrypted' && encryptionKey === undefined) throw new Error('audit.content is encrypted but no audit.encryption_key / CONDUIT_AUDIT_KEY is set');
      audit = await createAuditLog({
        db: db!,
        content: auditCfg.content,
        ...(encryptionKey === undefined ? {} : { encryptionKey }),
        ...(auditCfg.retention_days === undefined ? {} : { retention: { days: auditCfg.retention_days } }),
        // Without durable writes, the embedded store appends a batch in one statement (see audit-log.ts).
        oneStatementAppends: !storage.durable_writes,
      });
      // Like the ledger: with durable writes a response waits for its entry, so the batch window is
      // short; without, nobody waits and a wider window means fewer, larger transactions.
      auditBuffer = createAuditBuffer(audit, { maxDelayMs: storage.durable_writes ? 2 : 50, onError: (err, lost) => logger?.error({ err, lost: lost.length }, 'audit append failed') });
      services.audit = audit;
      services.auditBuffer = auditBuffer;
      const ab = auditBuffer;
      closers.unshift(() => ab.close());
      if (auditCfg.retention_days !== undefined) {
        const a = audit;
        const apply = (): void => void a.applyRetention().catch((err: unknown) => logger?.warn({ err }, 'audit retention failed'));
        apply();
        const timer = setInterval(apply, 6 * 3_600_000);
        timer.unref();
        closers.unshift(async () => clearInterval(timer));
      }
    }

    // Dead-letter queue: on the same database, only when enabled.
    let dlq: DeadLetterQueue | undefined;
    if (dlqCfg !== undefined) {
      dlq = await createDeadLetterQueue({ db: db!, thresholds: { maxPending: dlqCfg.max_pending, maxAgeMs: dlqCfg.max_age_minutes * 60_000 } });
      options.metrics?.trackDeadLetterQueue(dlq);
    }

    // The DLQ alone adds nothing to the model request path.
    const policy = anyModelPolicy ? createGatewayPolicy(services) : undefined;
    const admin =
      masterKey === undefined
        ? undefined
        : createAdminHandler({
            masterKey,
            cacheStats: services.cacheStats,
            cacheStores,
            ...(keys === undefined ? {} : { keys }),
            ...(ledger === undefined ? {} : { ledger }),
            ...(ledgerBuffer === undefined ? {} : { ledgerBuffer }),
            ...(services.emergencyStop === undefined ? {} : { emergencyStop: services.emergencyStop }),
            ...(audit === undefined ? {} : { audit }),
            ...(auditBuffer === undefined ? {} : { auditBuffer }),
            ...(semantic === undefined ? {} : { semanticCache: semantic }),
            ...(dlq === undefined ? {} : { dlq }),
          });

    return {
      policy,
      admin,
      services,
      db,
      redis,
      dlq,
      warnings,
      async readiness() {
        const checks: Record<string, boolean | string> = {};
        if (db !== undefined) {
          try {
            await db.ping();
            checks.database = true;
          } catch (err) {
            checks.database = `unreachable: ${err instanceof Error ? err.message : String(err)}`;
          }
        }
        if (redis !== undefined) checks.redis = (await redis.ping()) ? true : `unreachable${redis.lastError() ? `: ${redis.lastError()!.message}` : ''}`;
        return checks;
      },
      close: () => closeAll(closers, logger),
    };
  } catch (err) {
    await closeAll(closers, logger);
    throw err;
  }
}

async function closeAll(closers: (() => Promise<void>)[], logger: Logger | undefined): Promise<void> {
  // In order: buffers are flushed before the connections they write through are closed.
  for (const close of closers) {
    try {
      await close();
    } catch (err) {
      logger?.warn({ err }, 'error while closing policy storage');
    }
  }
}
