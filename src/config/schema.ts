/**
 * The `conduit.yaml` schema. Keys are snake_case in the file and stay snake_case in the parsed
 * config, so what `conduit config show` prints is exactly what a user would write.
 *
 * Every object is strict: a misspelt key (`api_kye`) is an error naming the key, not a silently
 * ignored setting. Number and boolean fields also accept their string spelling ("8000", "true"),
 * because `${ENV}` interpolation always produces strings (`port: ${PORT}`); any other string is
 * still rejected ("expected number, got string "high"").
 */
import { z } from 'zod';
import { ROUTING_STRATEGIES, type RoutingStrategy } from '../reliability/strategies.js';
import { policySections } from './policy-schema.js';

export * from './policy-schema.js';

/** Accepts a number, or a string that is exactly a decimal number (what interpolation yields). */
function numeric<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), inner);
}

/** Accepts a boolean, or the strings "true"/"false". */
function boolish<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), inner);
}

/** An http(s) URL: other schemes (file:, ftp:) and bare `host:port` are mistakes here. */
const httpUrl = () => z.url({ protocol: /^https?$/ });

/**
 * An optional setting where an empty string means "not set": `api_key: ${ANTHROPIC_API_KEY:-}`
 * leaves the provider unconfigured instead of failing validation.
 */
function optional<T extends z.ZodType>(inner: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), inner.optional());
}

const positiveInt = () => numeric(z.number().int().positive());
const nonNegativeInt = () => numeric(z.number().int().nonnegative());
const usdPerMillion = () => numeric(z.number().nonnegative());


export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Provider names with built-in meaning; an `openai_compatible` entry may not reuse one. */
export const BUILTIN_PROVIDERS = ['openai', 'anthropic', 'ollama', 'llamacpp', 'offline'] as const;

/**
 * Default request body limit: 4 MiB. It fits a 200k-token prompt (about 800 KB of text) plus a few
 * base64-encoded images, while bounding what one request can make the gateway buffer. Raise it for
 * image-heavy traffic.
 */
export const DEFAULT_SERVER_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_SERVER_MAX_JSON_DEPTH = 32;

const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 asks the OS for a free port (tests). */
  port: numeric(z.number().int().min(0).max(65535)).default(8000),
  body_limit_bytes: positiveInt().default(DEFAULT_SERVER_BODY_LIMIT_BYTES),
  max_json_depth: positiveInt().default(DEFAULT_SERVER_MAX_JSON_DEPTH),
  /** Cross-origin access for browser clients; none unless origins are listed (`*` allows any). */
  cors: z.strictObject({ origins: z.array(z.string().min(1)).default([]) }).optional(),
});

const openaiProviderSchema = z.strictObject({
  api_key: optional(z.string().min(1)),
  base_url: optional(httpUrl()),
  organization: optional(z.string().min(1)),
});

const anthropicProviderSchema = z.strictObject({
  api_key: optional(z.string().min(1)),
  base_url: optional(httpUrl()),
});

const ollamaProviderSchema = z.strictObject({
  base_url: optional(httpUrl()),
});

const openaiCompatibleEntrySchema = z.strictObject({
  base_url: httpUrl(),
  api_key: optional(z.string().min(1)),
  headers: z.record(z.string(), z.string()).optional(),
});

/** Names usable as `<name>/<model>`: no slash, and not a built-in provider name. */
const providerNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'expected a name of letters, digits, ".", "_" or "-"')
  .refine((name) => !(BUILTIN_PROVIDERS as readonly string[]).includes(name), {
    message: `expected a name other than the built-in providers (${BUILTIN_PROVIDERS.join(', ')})`,
  });

const providersSchema = z.strictObject({
  openai: openaiProviderSchema.optional(),
  anthropic: anthropicProviderSchema.optional(),
  ollama: ollamaProviderSchema.optional(),
  openai_compatible: z.record(providerNameSchema, openaiCompatibleEntrySchema).optional(),
});

const deploymentSchema = z.strictObject({
  /** A concrete model: `provider/model` or a well-known bare name (not an alias). */
  model: z.string().min(1),
  weight: numeric(z.number().positive()).default(1),
  api_key: optional(z.string().min(1)),
  base_url: optional(httpUrl()),
  /** Stable id for metrics and the circuit breaker; defaults to `<alias>#<index>:<model>`. */
  id: z.string().min(1).optional(),
});

const aliasObjectSchema = z.strictObject({
  deployments: z.array(deploymentSchema).min(1),
  strategy: z.enum(ROUTING_STRATEGIES as readonly [RoutingStrategy, ...RoutingStrategy[]]).default('weighted'),
  /** Tried in order when every deployment failed: aliases or concrete model names. */
  fallbacks: z.array(z.string().min(1)).default([]),
  /** Per-attempt timeout. */
  timeout_ms: positiveInt().optional(),
  max_retries: nonNegativeInt().optional(),
  /** A stream that sends nothing for this long counts as failed (before content: fails over). */
  stream_idle_timeout_ms: positiveInt().optional(),
});

/** An alias is either one model name (`provider/model`, a bare name or another alias) or a routed group. */
const aliasSchema = z.union([z.string().min(1), aliasObjectSchema]);

const llamacppSchema = z.strictObject({
  /** A GGUF file; `llamacpp` (no file) resolves to it, and its folder is where `llamacpp/<file>` looks. */
  model_path: z.string().min(1).optional(),
  /** Folder for `llamacpp/<file>`; defaults to model_path's folder. */
  model_dir: z.string().min(1).optional(),
  /** Explicit thread count: the default is small so a local model never starves the gateway. */
  threads: positiveInt().default(2),
  /** false (default): CPU only; true or 'auto': whatever backend node-llama-cpp detects; or a named backend. Prebuilt binaries only. */
  gpu: boolish(z.literal([false, true, 'auto', 'cuda', 'vulkan'])).default(false),
  context_size: positiveInt().optional(),
  /** 'auto' (default): the model's own chat template; or force one of Conduit's. */
  prompt_format: z.enum(['auto', 'chatml', 'llama2', 'llama3', 'mistral']).optional(),
});

const embeddingsSchema = z.strictObject({
  default_model: z.string().min(1).optional(),
});

const priceSchema = z.strictObject({
  input: usdPerMillion().optional(),
  output: usdPerMillion().optional(),
  cached_input: usdPerMillion().optional(),
  cache_write: usdPerMillion().optional(),
  reasoning: usdPerMillion().optional(),
});

const reliabilitySchema = z.strictObject({
  max_retries: nonNegativeInt().default(2),
  attempt_timeout_ms: positiveInt().optional(),
  circuit_breaker: z
    .strictObject({
      failure_threshold: positiveInt().default(5),
      cooldown_ms: positiveInt().default(60_000),
    })
    .default({ failure_threshold: 5, cooldown_ms: 60_000 }),
  /** How often deployments are health-checked; 0 disables the checks. */
  health_check_interval_ms: nonNegativeInt().default(30_000),
});

const loggingSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
  /** Prompt and completion text stay out of logs unless this is set. */
  log_prompts: boolish(z.boolean()).default(false),
});

export const configSchema = z.strictObject({
  server: serverSchema.default({
    host: '127.0.0.1',
    port: 8000,
    body_limit_bytes: DEFAULT_SERVER_BODY_LIMIT_BYTES,
    max_json_depth: DEFAULT_SERVER_MAX_JSON_DEPTH,
  }),
  default_model: z.string().min(1).optional(),
  providers: providersSchema.default({}),
  models: z.record(z.string().min(1), aliasSchema).default({}),
  llamacpp: llamacppSchema.optional(),
  embeddings: embeddingsSchema.default({}),
  /** USD per 1M tokens, keyed by model id (`gpt-4o-mini`) or `provider/model`. */
  prices: z.record(z.string().min(1), priceSchema).default({}),
  reliability: reliabilitySchema.default({
    max_retries: 2,
    circuit_breaker: { failure_threshold: 5, cooldown_ms: 60_000 },
    health_check_interval_ms: 30_000,
  }),
  logging: loggingSchema.default({ level: 'info', log_prompts: false }),
  ...policySections,
});

export type ConduitConfig = z.output<typeof configSchema>;
export type ServerConfig = ConduitConfig['server'];
export type ProvidersConfig = ConduitConfig['providers'];
export type OpenAICompatibleProviderConfig = z.output<typeof openaiCompatibleEntrySchema>;
export type AliasConfig = z.output<typeof aliasSchema>;
export type AliasObjectConfig = z.output<typeof aliasObjectSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type LlamaCppConfig = z.output<typeof llamacppSchema>;
export type PriceConfig = z.output<typeof priceSchema>;
export type ReliabilityConfig = ConduitConfig['reliability'];
export type LoggingConfig = ConduitConfig['logging'];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type StorageConfig = ConduitConfig['storage'];
export type AuthConfig = ConduitConfig['auth'];
export type RateLimitsConfig = ConduitConfig['rate_limits'];
export type CacheConfig = ConduitConfig['cache'];
export type AuditConfig = ConduitConfig['audit'];

/** The configuration with every default applied and nothing configured: what an empty file means. */
export function defaultConfig(): ConduitConfig {
  return configSchema.parse({});
}
