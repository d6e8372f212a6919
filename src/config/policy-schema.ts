/**
 * The policy sections of `conduit.yaml` (issue 3): storage, auth, rate limits, budgets, alerts,
 * runaway protection, caching, guardrails and audit. Every section is optional and every policy is
 * OFF unless configured, so a bare gateway opens no storage and does no extra work per request.
 *
 * Keys are snake_case like the rest of the file; `src/gateway/policy/open-policies.ts` maps them
 * onto the libraries' camelCase options. The guardrails section is the guardrails library's policy
 * written in snake_case (`block_threshold` for `blockThreshold`); it is validated by that library's
 * own schema, so a misspelt key is reported here at load time.
 */
import { z } from 'zod';
import { guardrailPolicySchema } from '../guardrails/policy.js';

function numeric<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), inner);
}

function boolish<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), inner);
}

/** Empty string = not set (`${REDIS_URL:-}`). */
function optional<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), inner.optional());
}

const positiveInt = () => numeric(z.number().int().positive());
const failMode = z.enum(['open', 'closed']);

const storageSchema = z.strictObject({
  /** `postgres://…`; also `DATABASE_URL`. Without it: embedded PGlite under `state_dir`. */
  database_url: optional(z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')),
  /** `redis://…`; also `REDIS_URL`. Without it: rate limits, budgets, cache and emergency stop stay in-process. */
  redis_url: optional(z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL')),
  /** Prefix of every Redis key (replicas sharing state must use the same one). */
  redis_prefix: z.string().min(1).default('conduit:'),
  /** Directory of embedded state (PGlite database). */
  state_dir: z.string().min(1).default('.conduit'),
  /**
   * true (default): a response is sent only after its usage event and audit entry are committed
   * (group commit, a few ms), so a crash never loses an acknowledged request. false: written in the
   * background within ~50 ms; a crash loses what was still queued.
   */
  durable_writes: boolish(z.boolean()).default(true),
});

const jwtSchema = z.strictObject({
  hs256_secret: optional(z.string().min(32, 'must be at least 32 characters')),
  rs256_public_key: optional(z.string().min(1)),
  jwks_file: optional(z.string().min(1)),
  jwks_url: optional(z.url({ protocol: /^https?$/ })),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  team_claim: z.string().min(1).optional(),
  admin_scopes: z.array(z.string().min(1)).optional(),
  model_scopes: z.record(z.string().min(1), z.array(z.string().min(1))).optional(),
  model_scope_prefix: z.string().min(1).optional(),
});

const authSchema = z.strictObject({
  /** Enables virtual keys and the admin API; also `CONDUIT_MASTER_KEY`. Without it model routes are OPEN. */
  master_key: optional(z.string().min(16, 'must be at least 16 characters')),
  /** How long a key lookup is reused: bounds how late another replica sees a revoke. */
  key_cache_ttl_ms: numeric(z.number().int().nonnegative()).default(5000),
  jwt: jwtSchema.optional(),
});

const limitPairSchema = z.strictObject({
  requests_per_minute: positiveInt().optional(),
  tokens_per_minute: positiveInt().optional(),
});

const rateLimitsSchema = z.strictObject({
  /** When Redis is unreachable: `closed` (default) answers 503, `open` lets requests through. */
  fail_mode: failMode.default('closed'),
  /** Default for every key that sets no limits of its own (and for JWT callers, per subject). */
  per_key: limitPairSchema.optional(),
  /** Each user (key owner / JWT subject) gets this much. */
  per_user: limitPairSchema.optional(),
  /** Each team gets this much. */
  per_team: limitPairSchema.optional(),
  /** Per requested model name (or alias). */
  models: z.record(z.string().min(1), limitPairSchema).default({}),
  /** All traffic of this gateway deployment together. */
  global: limitPairSchema.optional(),
});

const budgetRuleSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1).optional(),
  scope: z.enum(['key', 'user', 'team', 'global']),
  /** A specific key id / user / team, or `*` (default): a separate budget of this size for each. */
  scope_id: z.string().min(1).optional(),
  window: z.enum(['hour', 'day', 'month']),
  limit_usd: numeric(z.number().nonnegative()),
  /** Fraction of the limit at which the soft alert fires (default 0.8). */
  soft_alert_at: numeric(z.number().gt(0).max(1)).optional(),
});

const cacheSchema = z.strictObject({
  exact: z
    .strictObject({
      enabled: boolish(z.boolean()).default(true),
      ttl_ms: positiveInt().default(24 * 60 * 60 * 1000),
      /** `memory` (default, per process), `sql` (the database) or `redis` (shared by replicas). */
      backend: z.enum(['memory', 'sql', 'redis']).default('memory'),
      /** Largest memory-backend size in entries. */
      max_entries: positiveInt().optional(),
    })
    .optional(),
  semantic: z
    .strictObject({
      enabled: boolish(z.boolean()).default(true),
      threshold: numeric(z.number().gt(0).max(1)).default(0.95),
      /** `serve` answers hits; `shadow` only records would-be hits (pick a threshold from data). */
      mode: z.enum(['serve', 'shadow']).default('serve'),
      ttl_ms: positiveInt().optional(),
    })
    .optional(),
});

/** snake_case → camelCase for the guardrails policy, leaving user-named maps (rule ids, custom categories) alone. */
export function guardrailsToCamel(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => guardrailsToCamel(v, ''));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const keepKeys = parentKey === 'rules' || parentKey === 'custom' || parentKey === 'categories';
  for (const [k, v] of Object.entries(value)) {
    const key = keepKeys ? k : k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    out[key] = guardrailsToCamel(v, keepKeys ? '' : key);
  }
  return out;
}

const guardrailsSchema = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const parsed = guardrailPolicySchema.safeParse(guardrailsToCamel(value));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => (typeof p === 'string' ? p.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()) : p)) as (string | number)[] });
    }
  }
});

const auditSchema = z.strictObject({
  enabled: boolish(z.boolean()).default(true),
  /** `hash` (default): prompts and responses kept as sha256 only. `encrypted`: AES-256-GCM too. */
  content: z.enum(['hash', 'encrypted']).default('hash'),
  /** 32 bytes, base64; also `CONDUIT_AUDIT_KEY`. Required for `encrypted`. */
  encryption_key: optional(z.string().min(1)),
  /** Whole entries older than this are deleted (with a checkpoint that keeps the chain verifiable). */
  retention_days: positiveInt().optional(),
});

/** Dead-letter queue of structured output that still failed after the repair loop (src/structured/dlq.ts). */
const dlqSchema = z.strictObject({
  /** Opens the queue on the policy database (PostgreSQL / embedded PGlite), with its admin routes and metrics. */
  enabled: boolish(z.boolean()).default(false),
  /** `dlq_alert` fires when more than this many items are pending. */
  max_pending: numeric(z.number().int().nonnegative()).default(20),
  /** `dlq_alert` fires when a pending item is older than this. */
  max_age_minutes: numeric(z.number().positive()).default(120),
});

/** Spread into the top-level config schema. */
export const policySections = {
  storage: storageSchema.default({ redis_prefix: 'conduit:', state_dir: '.conduit', durable_writes: true }),
  auth: authSchema.default({ key_cache_ttl_ms: 5000 }),
  rate_limits: rateLimitsSchema.optional(),
  budgets: z.array(budgetRuleSchema).default([]),
  /** When the budget store (Redis) or the ledger cannot be reached: `closed` (default) answers 503, `open` lets requests through unenforced. */
  budget_fail_mode: failMode.default('closed'),
  alerts: z.strictObject({ webhook_url: optional(z.url({ protocol: /^https?$/ })) }).optional(),
  runaway: z
    .strictObject({
      enabled: boolish(z.boolean()).default(true),
      /** Incident when the request rate exceeds this multiple of its moving baseline. */
      factor: numeric(z.number().gt(1)).default(10),
    })
    .optional(),
  cache: cacheSchema.optional(),
  guardrails: guardrailsSchema.optional(),
  audit: auditSchema.optional(),
  dlq: dlqSchema.optional(),
};
