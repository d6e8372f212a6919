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
import { ALIAS_STRATEGIES, type AliasStrategy } from '../reliability/routing/alias-strategies.js';
import { PII_ENTITIES, type PiiEntity } from '../guardrails/pii.js';
import { policySections } from './policy-schema.js';
import { experimentSchema } from '../eval/ab/experiment.js';

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
const fraction = () => numeric(z.number().min(0).max(1));
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
  /** Expected quality 0–1 for `strategy: cost`: one score, or per task type (`{ default: 0.8, code: 0.6 }`). */
  quality: z.union([fraction(), z.record(z.string().min(1), fraction())]).optional(),
  /** Complexity tier this deployment serves for `strategy: complexity` (e.g. `small`, `large`). */
  tier: z.string().min(1).optional(),
  /** Runs on infrastructure you control: with `data_sensitivity`, the only place requests with PII may go. */
  on_premises: boolish(z.boolean()).optional(),
});

/** `strategy: cost`: the cheapest deployment whose quality meets the threshold, within the request's budget. */
const costRoutingSchema = z.strictObject({
  /** Default threshold; a request may send its own in `x-conduit-min-quality`. */
  min_quality: fraction().default(0.8),
  /** Default per-request budget in USD; a request may send its own in `x-conduit-max-cost-usd`. */
  max_cost_usd: numeric(z.number().nonnegative()).optional(),
  /** Output tokens assumed when the request sets no max_tokens. */
  expected_output_tokens: positiveInt().default(500),
  /** When nothing qualifies: `refuse` (400 policy_refusal), `cheapest` (within budget), or a deployment id. */
  on_no_match: z.string().min(1).default('refuse'),
});

/** `strategy: complexity`: rules, then an optional classifier model, then the large tier. */
const complexityRoutingSchema = z.strictObject({
  /** Deployment tier per label. */
  tiers: z.strictObject({ simple: z.string().min(1).default('small'), complex: z.string().min(1).default('large') }).default({ simple: 'small', complex: 'large' }),
  /** A small model (alias or provider/model) asked SIMPLE or COMPLEX when the rules are undecided. */
  classifier: z.string().min(1).optional(),
  min_classifier_confidence: fraction().default(0.5),
  /** A single question at most this long is simple. */
  simple_max_chars: positiveInt().default(200),
  /** A conversation with more text than this is complex. */
  complex_min_chars: positiveInt().default(4000),
  /** More user turns than this is complex. */
  complex_min_turns: positiveInt().default(6),
  /** Replaces the built-in reasoning keywords (prove, step by step, derive, …). */
  keywords: z.array(z.string().min(1)).optional(),
});

/** `data_sensitivity`: requests with PII go only to `on_premises` deployments and fallbacks, or are refused. */
const dataSensitivitySchema = z.union([
  boolish(z.boolean()),
  z.strictObject({ entities: z.array(z.enum(PII_ENTITIES as readonly [PiiEntity, ...PiiEntity[]])).min(1).optional() }),
]);

const aliasObjectSchema = z.strictObject({
  deployments: z.array(deploymentSchema).min(1),
  /** weighted | least-busy | lowest-latency | ordered, or the request-aware cost | complexity. */
  strategy: z.enum(ALIAS_STRATEGIES as readonly [AliasStrategy, ...AliasStrategy[]]).default('weighted'),
  cost: costRoutingSchema.optional(),
  complexity: complexityRoutingSchema.optional(),
  data_sensitivity: dataSensitivitySchema.optional(),
  /** Tried in order when every deployment failed: aliases or concrete model names. */
  fallbacks: z.array(z.string().min(1)).default([]),
  /** Per-attempt timeout. */
  timeout_ms: positiveInt().optional(),
  max_retries: nonNegativeInt().optional(),
  /** A stream that sends nothing for this long counts as failed (before content: fails over). */
  stream_idle_timeout_ms: positiveInt().optional(),
}).superRefine((alias, ctx) => {
  for (const block of ['cost', 'complexity'] as const) {
    if (alias[block] !== undefined && alias.strategy !== block) ctx.addIssue({ code: 'custom', path: [block], message: `only used with strategy: ${block}` });
  }
  alias.deployments.forEach((d, i) => {
    if (alias.strategy === 'cost' && d.quality === undefined) ctx.addIssue({ code: 'custom', path: ['deployments', i, 'quality'], message: 'strategy: cost needs a quality score (0–1) on every deployment' });
  });
  if (alias.strategy === 'complexity') {
    const tiers = alias.complexity?.tiers ?? { simple: 'small', complex: 'large' };
    for (const tier of [tiers.simple, tiers.complex]) {
      if (!alias.deployments.some((d) => d.tier === tier)) ctx.addIssue({ code: 'custom', path: ['deployments'], message: `strategy: complexity needs a deployment with tier: ${tier}` });
    }
  }
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

/** Server names prefix their tools' names (`<server>__<tool>`), so they use the provider tool-name alphabet. */
const mcpServerName = () => z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be 1-32 letters, digits, - or _' });

/** An MCP server Conduit starts as a subprocess and talks to over stdio. */
const mcpStdioServerSchema = z.strictObject({
  name: mcpServerName(),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to a minimal inherited environment (PATH, HOME…), never the whole of Conduit's. */
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
});

/** An MCP server reached over Streamable HTTP. */
const mcpHttpServerSchema = z.strictObject({
  name: mcpServerName(),
  url: httpUrl(),
  headers: z.record(z.string(), z.string()).optional(),
});

const mcpSchema = z.strictObject({
  /** Serve Conduit's tools and prompts at `/mcp` on `conduit serve`. */
  http: boolish(z.boolean()).default(true),
  /** MCP servers whose tools agents may use, as `<name>__<tool>`. */
  servers: z
    .array(z.union([mcpStdioServerSchema, mcpHttpServerSchema]))
    .default([])
    .refine((servers) => new Set(servers.map((s) => s.name)).size === servers.length, { message: 'server names must be unique' }),
});

/** Default largest RAG upload (`POST /v1/rag/collections/{c}/documents`): 10 MiB. */
export const DEFAULT_RAG_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** RAG: where collections live, how documents are chunked, how queries are answered by default. */
const ragSchema = z.strictObject({
  /** Serve `/v1/rag/*` on `conduit serve`. */
  http: boolish(z.boolean()).default(true),
  /** `embedded`: files under `dir`; `postgres`: pgvector + full-text on `database_url` (else storage.database_url). */
  storage: z.enum(['embedded', 'postgres']).default('embedded'),
  /** Embedded collections; default `<storage.state_dir>/rag`. */
  dir: z.string().min(1).optional(),
  database_url: optional(z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')),
  /** Retrieval strategy when a query names none. */
  default_strategy: z.string().min(1).default('hybrid'),
  top_k: numeric(z.number().int().min(1).max(100)).default(5),
  chunking: z
    .strictObject({
      method: z.enum(['recursive', 'token-window', 'semantic', 'parent-child']).default('recursive'),
      chunk_tokens: positiveInt().default(512),
      overlap_tokens: nonNegativeInt().default(64),
      /** Semantic splitting: a sentence starts a new chunk below this similarity to the previous one. */
      semantic_threshold: fraction().default(0.8),
      /** One summary chunk per document (model-written; extractive offline): hierarchical retrieval's first level. */
      summaries: boolish(z.boolean()).default(true),
    })
    .default({ method: 'recursive', chunk_tokens: 512, overlap_tokens: 64, semantic_threshold: 0.8, summaries: true }),
  upload_limit_bytes: positiveInt().default(DEFAULT_RAG_UPLOAD_LIMIT_BYTES),
});

/** Agent names appear in URLs (`/v1/agents/{name}/runs`). */
const agentNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, - or _' });

/** One named agent: model, instructions, the allow-list of tools it may call, and its limits. */
const agentDefinitionSchema = z.strictObject({
  description: z.string().optional(),
  /** Alias or provider/model; default: the default model. */
  model: z.string().min(1).optional(),
  system: z.string().optional(),
  /** The only tools runs of this agent can call: built-ins (calculator, http_get, read_file, write_file) by name. */
  tools: z.array(z.string().min(1)).default([]),
  /** Tools whose every call waits for a human decision (POST /v1/runs/{id}/approvals/{approval_id}). */
  require_approval: z.array(z.string().min(1)).default([]),
  /** `auto`: native tool calling when the model has it, else the text protocol. */
  tool_mode: z.enum(['auto', 'native', 'text']).default('auto'),
  tool_timeout_ms: positiveInt().optional(),
  temperature: numeric(z.number().min(0).max(2)).optional(),
  limits: z
    .strictObject({
      max_steps: positiveInt().default(10),
      /** Active time per run; time waiting for an approval does not count. */
      deadline_ms: positiveInt().default(120_000),
      max_tokens: positiveInt().optional(),
      max_cost_usd: numeric(z.number().positive()).optional(),
    })
    .default({ max_steps: 10, deadline_ms: 120_000 }),
});

/** Agents on `conduit serve`: `/v1/agents/{name}/runs`, `/v1/runs/*`, `/v1/chat`. */
const agentsSchema = z.strictObject({
  /** Serve the agent routes. */
  http: boolish(z.boolean()).default(true),
  /** The agent `POST /v1/chat` runs; when it is not defined, a built-in one (default model + calculator) is. */
  chat_agent: agentNameSchema.default('chat'),
  /** Settings of the built-in tools that need them; a tool whose settings are absent is unavailable. */
  tools: z
    .strictObject({
      http_get: z
        .strictObject({
          allowed_hosts: z.array(z.string().min(1)).min(1),
          timeout_ms: positiveInt().default(10_000),
          max_bytes: positiveInt().default(100_000),
        })
        .optional(),
      files: z
        .strictObject({
          sandbox_dir: z.string().min(1),
          max_bytes: positiveInt().default(1_000_000),
          /** Writes wait for a human decision unless turned off. */
          write_requires_approval: boolish(z.boolean()).default(true),
        })
        .optional(),
    })
    .default({}),
  definitions: z.record(agentNameSchema, agentDefinitionSchema).default({}),
});

/** Spans for requests, model calls, agent runs, tool calls and retrievals (src/observability/tracing). Off unless enabled. */
const tracingSchema = z.strictObject({
  enabled: boolish(z.boolean()).default(false),
  /** Resource `service.name` of exported spans. */
  service_name: z.string().min(1).default('conduit'),
  /** Export over OTLP/HTTP JSON to this collector (`http://collector:4318`); without it spans go to Conduit's own store. */
  otlp: z
    .strictObject({
      endpoint: httpUrl(),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
  /** Own store only: spans older than this are deleted. */
  retention_days: numeric(z.number().positive()).default(7),
  /** Prompt and completion text is recorded only for these keys (id or name), or keys whose metadata has `trace_content: true`. */
  capture_content: z.strictObject({ keys: z.array(z.string().min(1)).default([]) }).default({ keys: [] }),
});

const alertRuleOverrideSchema = z.strictObject({
  enabled: boolish(z.boolean()).optional(),
  threshold: numeric(z.number().nonnegative()).optional(),
  for_ms: nonNegativeInt().optional(),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
});

/** Alert rules evaluated inside Conduit over its metrics, sent to Slack-format or generic webhooks (src/observability/alerting). */
const alertingSchema = z.strictObject({
  enabled: boolish(z.boolean()).default(true),
  interval_ms: positiveInt().default(15_000),
  /** Re-send an alert still firing after this long (0 = never). */
  repeat_interval_ms: nonNegativeInt().default(4 * 3600_000),
  webhooks: z
    .array(z.strictObject({ url: httpUrl(), format: z.enum(['slack', 'generic']).default('generic'), headers: z.record(z.string(), z.string()).optional() }))
    .default([]),
  /** Per-rule changes keyed by error_rate, p95_latency, ttft_p95, cost_burn, budget_use, dlq_size, dlq_age, provider_health. */
  rules: z
    .strictObject({
      error_rate: alertRuleOverrideSchema.optional(),
      p95_latency: alertRuleOverrideSchema.optional(),
      ttft_p95: alertRuleOverrideSchema.optional(),
      cost_burn: alertRuleOverrideSchema.optional(),
      budget_use: alertRuleOverrideSchema.optional(),
      dlq_size: alertRuleOverrideSchema.optional(),
      dlq_age: alertRuleOverrideSchema.optional(),
      provider_health: alertRuleOverrideSchema.optional(),
    })
    .default({}),
});

/** `incident:` — the incident-handling application (`/v1/incidents/*`, `conduit incident`). */
const incidentSchema = z.strictObject({
  /** Serve `/v1/incidents/*` on `conduit serve` (default true when the section is present). */
  http: boolish(z.boolean()).default(true),
  /** Bearer token accepted on the incident routes (Alertmanager's http_config.authorization). Gateway keys work too. */
  webhook_token: z.string().min(16).optional(),
  /** Model alias for classification and diagnosis; absent: rule-based classification, evidence-only diagnosis. */
  model: z.string().min(1).optional(),
  /** Base URL used in notification links. */
  public_url: httpUrl().optional(),
  correlation: z
    .strictObject({
      group_by: z.array(z.string().min(1)).min(1).default(['service']),
      window_ms: positiveInt().default(30 * 60_000),
      flap_threshold: positiveInt().default(4),
      flap_window_ms: positiveInt().default(10 * 60_000),
      short_lived_ms: positiveInt().default(60_000),
      noise_threshold: numeric(z.number().min(0).max(1)).default(0.7),
      mute_alerts: z.array(z.string().min(1)).default([]),
    })
    .default({ group_by: ['service'], window_ms: 1_800_000, flap_threshold: 4, flap_window_ms: 600_000, short_lived_ms: 60_000, noise_threshold: 0.7, mute_alerts: [] }),
  /** Where each field of a generic JSON alert lives (dotted paths). */
  json_mapping: z
    .strictObject({
      name: z.string().min(1),
      status: z.string().optional(),
      severity: z.string().optional(),
      labels: z.string().optional(),
      annotations: z.string().optional(),
      fingerprint: z.string().optional(),
      starts_at: z.string().optional(),
      ends_at: z.string().optional(),
      summary: z.string().optional(),
      resolved_values: z.array(z.string()).optional(),
    })
    .optional(),
  tickets: z
    .strictObject({
      /** Conduit's own ticket store (default true). */
      conduit: boolish(z.boolean()).default(true),
      jira: z
        .strictObject({
          url: httpUrl(),
          project: z.string().min(1),
          issue_type: z.string().min(1).default('Incident'),
          email: z.string().min(1),
          api_token: z.string().min(1),
        })
        .optional(),
    })
    .default({ conduit: true }),
  notifications: z
    .strictObject({
      slack_webhook_url: httpUrl().optional(),
      webhook_url: httpUrl().optional(),
      webhook_headers: z.record(z.string(), z.string()).default({}),
      /** Label that names the owning team. */
      team_label: z.string().min(1).default('team'),
    })
    .default({ webhook_headers: {}, team_label: 'team' }),
  remediation: z
    .strictObject({
      /** Directory of runbook YAML files, relative to the working directory. */
      runbooks_dir: z.string().min(1).optional(),
      /** Runbook action names that may ever run; anything else is blocked. */
      allowed_actions: z.array(z.string().min(1)).default([]),
      /** Risk at or above which an action waits for a human approval. */
      approval_threshold: numeric(z.number().min(0).max(1)).default(0.5),
    })
    .default({ allowed_actions: [], approval_threshold: 0.5 }),
  diagnosis: z
    .strictObject({
      enabled: boolish(z.boolean()).default(true),
      max_steps: positiveInt().default(6),
      prometheus_url: httpUrl().optional(),
      loki: z.strictObject({ url: httpUrl(), service_label: z.string().min(1).default('service') }).optional(),
      elasticsearch: z.strictObject({ url: httpUrl(), index: z.string().min(1), timestamp_field: z.string().optional(), message_field: z.string().optional(), service_field: z.string().optional() }).optional(),
      /** Search the log lines pushed to Conduit (POST /v1/incidents/logs). */
      conduit_logs: boolish(z.boolean()).default(true),
      /** Remember resolutions and recall similar incidents (embedding model: `embeddings` default). */
      memory: boolish(z.boolean()).default(true),
    })
    .default({ enabled: true, max_steps: 6, conduit_logs: true, memory: true }),
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
  /** Absent: `/mcp` is served and no MCP servers are used as clients. */
  mcp: mcpSchema.optional(),
  /** Absent: embedded collections under `<storage.state_dir>/rag`, hybrid retrieval, `/v1/rag/*` served. */
  rag: ragSchema.optional(),
  /** Absent: only the built-in `chat` agent (default model + calculator) behind `/v1/chat`. */
  agents: agentsSchema.optional(),
  /** Prompt/model A/B experiments served at `/v1/experiments/{id}/chat/completions`; feedback at `/v1/feedback`. */
  experiments: z.array(experimentSchema).optional(),
  /** Absent: tracing off. */
  tracing: tracingSchema.optional(),
  /** Absent: no alert rules run. */
  alerting: alertingSchema.optional(),
  /** Absent: the incident application is off. */
  incident: incidentSchema.optional(),
  ...policySections,
});

export type ConduitConfig = z.output<typeof configSchema>;
export type ServerConfig = ConduitConfig['server'];
export type ProvidersConfig = ConduitConfig['providers'];
export type OpenAICompatibleProviderConfig = z.output<typeof openaiCompatibleEntrySchema>;
export type AliasConfig = z.output<typeof aliasSchema>;
export type AliasObjectConfig = z.output<typeof aliasObjectSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type CostRoutingConfig = z.output<typeof costRoutingSchema>;
export type ComplexityRoutingConfig = z.output<typeof complexityRoutingSchema>;
export type DataSensitivityConfig = z.output<typeof dataSensitivitySchema>;
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
export type RagConfig = z.output<typeof ragSchema>;
export type IncidentConfig = z.output<typeof incidentSchema>;

/** The `incident:` section with every default applied. */
export function incidentConfigOf(config: ConduitConfig): IncidentConfig {
  return config.incident ?? incidentSchema.parse({});
}

/** The `rag:` section with every default applied (what an absent section means). */
export function ragConfigOf(config: ConduitConfig): RagConfig {
  return config.rag ?? ragSchema.parse({});
}
export type AgentsConfig = z.output<typeof agentsSchema>;
export type AgentDefinitionConfig = z.output<typeof agentDefinitionSchema>;

/** The `agents:` section with every default applied (what an absent section means). */
export function agentsConfigOf(config: ConduitConfig): AgentsConfig {
  return config.agents ?? agentsSchema.parse({});
}
export type TracingConfig = z.output<typeof tracingSchema>;
export type AlertingConfig = z.output<typeof alertingSchema>;
export type McpConfig = z.output<typeof mcpSchema>;
export type McpServerConfig = McpConfig['servers'][number];

/** The configuration with every default applied and nothing configured: what an empty file means. */
export function defaultConfig(): ConduitConfig {
  return configSchema.parse({});
}
