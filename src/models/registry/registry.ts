/**
 * The model registry: turns a model name into a ready LanguageModel, built from the config once and
 * cached.
 *
 * Resolution order: config aliases (`models:`), then `provider/model` (`openai/gpt-4o-mini`,
 * `anthropic/…`, `ollama/…`, `llamacpp/<file>`, `<openai_compatible name>/…`, `offline`), then
 * well-known bare names by prefix (`gpt-*`, `o1*`/`o3*`/`o4*`, `chatgpt-*` → openai, `claude-*` →
 * anthropic). Unknown names and names of unconfigured providers are ConduitError('not_found') with
 * a message that says how to fix it.
 *
 * What a name becomes:
 *   concrete model   provider adapter → cost middleware → retry (reliability.max_retries, attempt timeout)
 *   string alias     the model it names (an alias of an alias is followed, cycles are an error)
 *   routed alias     fallback chain [ router(deployments, strategy, circuit breakers), ...fallbacks ],
 *                    each deployment a concrete model as above with the alias's timeouts; one retry
 *                    budget per request bounds all of it (see aliasRetryBudget). `strategy: cost |
 *                    complexity` gives the router a request-aware policy (alias-routing.ts); with
 *                    `data_sensitivity`, requests with PII take a chain of on-premises targets only.
 */
import { ConduitError } from '../../core/errors.js';
import type { ConduitConfig, AliasObjectConfig, DeploymentConfig } from '../../config/schema.js';
import type { EmbeddingModel, LanguageModel, ModelInfo, ModelResolver } from '../language-model.js';
import { wrapLanguageModel } from '../wrap-language-model.js';
import { createPriceTable, type PriceTable, type ModelPrice } from '../pricing/index.js';
import { costMiddleware, withEmbeddingCost } from '../../middleware/cost.js';
import { withRetry, type RetryOptions } from '../../middleware/retry.js';
import { createRouter, type Router } from '../../reliability/router.js';
import { createFallbackChain } from '../../reliability/fallback.js';
import { createSensitivityGate } from '../../reliability/routing/data-sensitivity.js';
import { aliasConfigError, aliasRoutingPolicy, aliasSensitivity, baseStrategy, deploymentProfile, isOnPremisesTarget } from './alias-routing.js';
import { startRouterHealthChecks, type HealthChecker } from '../../reliability/health-checks.js';
import { listOpenAIModels } from '../providers/openai/index.js';
import { DEFAULT_EMBEDDING_MODEL_ID, DEFAULT_EMBEDDING_PROVIDER } from '../embeddings/index.js';
import { defaultProviderFactories, type ProviderFactories } from './provider-factories.js';
import { BUILTIN_PROVIDER_NAMES, parseModelName } from './model-name.js';
import { configuredProviders, isProviderConfigured, ollamaOpenAIBaseURL, providerGuidance } from './provider-config.js';
import { listLlamaModels, resolveLlamaFile } from './llamacpp-files.js';
import { KNOWN_CHAT_MODELS, KNOWN_EMBEDDING_MODELS, PROVIDER_DEFAULT_MODELS } from './known-models.js';

export interface ModelRegistryOptions {
  config: ConduitConfig;
  /** Replace provider constructors (tests). */
  factories?: Partial<ProviderFactories>;
  /** Default: built from `config.prices` over the built-in table. */
  priceTable?: PriceTable;
  /** Timeout of each server's `/models` query in listReachable (default 1500 ms). */
  listTimeoutMs?: number;
  /** How long listReachable reuses a server's answer (default 10 000 ms). */
  listCacheMs?: number;
}

export interface AliasProblem {
  /** The alias, `default_model`, or the model name at fault. */
  name: string;
  error: ConduitError;
}

export interface ModelRegistry extends ModelResolver {
  readonly config: ConduitConfig;
  readonly priceTable: PriceTable;
  /**
   * list() refreshed with what OpenAI-compatible and Ollama servers report from `/models` now
   * (servers that do not answer within listTimeoutMs are left out). list() itself includes the
   * last answers, so a synchronous caller sees remote models once this has run.
   */
  listReachable(): Promise<ModelInfo[]>;
  /** `embeddings.default_model`, else the embedded model that needs no download. */
  defaultEmbeddingModelName(): string;
  /** Builds every alias and the default model now; returns what failed (empty: the config is usable). */
  validate(): AliasProblem[];
  /** Routers of the aliases built so far, for status and metrics. */
  routers(): Router[];
  /**
   * Starts periodic health checks (reliability.health_check_interval_ms; 0: none) of every alias
   * with more than one deployment, where a check can change routing. Builds all aliases first.
   */
  startHealthChecks(): void;
  /** Stops health checks. */
  close(): void;
}

const OFFLINE = 'offline';
const EMBEDDED_NAMES = new Set(['default', DEFAULT_EMBEDDING_PROVIDER, DEFAULT_EMBEDDING_MODEL_ID, `${DEFAULT_EMBEDDING_PROVIDER}/${DEFAULT_EMBEDDING_MODEL_ID}`]);
const OPENAI_PUBLIC_HOST = 'api.openai.com';

/** Settings a concrete model is built with beyond its name. */
interface ConcreteSettings {
  apiKey?: string;
  baseURL?: string;
  idleTimeoutMs?: number;
  attemptTimeoutMs?: number;
  maxRetries: number;
}

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const { config } = options;
  const factories: ProviderFactories = { ...defaultProviderFactories, ...options.factories };
  const priceTable = options.priceTable ?? createPriceTable(priceOverrides(config));
  const listTimeoutMs = options.listTimeoutMs ?? 1500;
  const listCacheMs = options.listCacheMs ?? 10_000;
  const compat = config.providers.openai_compatible ?? {};
  const aliases = config.models;

  const cache = new Map<string, LanguageModel>();
  const embeddingCache = new Map<string, EmbeddingModel>();
  const builtRouters = new Map<string, Router>();
  const healthCheckers: HealthChecker[] = [];
  const remoteCache = new Map<string, { at: number; models: ModelInfo[] }>();
  const cost = costMiddleware(priceTable);

  const isAlias = (name: string): boolean => Object.hasOwn(aliases, name);
  const isCompat = (name: string): boolean => Object.hasOwn(compat, name);

  const defaultSettings = (): ConcreteSettings => {
    const s: ConcreteSettings = { maxRetries: config.reliability.max_retries };
    if (config.reliability.attempt_timeout_ms !== undefined) s.attemptTimeoutMs = config.reliability.attempt_timeout_ms;
    return s;
  };

  function resolveName(name: string, stack: readonly string[]): LanguageModel {
    const key = name.trim();
    if (key === '') throw new ConduitError('invalid_request', 'A model name is required', { param: 'model', code: 'model_not_found' });
    const cached = cache.get(key);
    if (cached) return cached;
    const model = isAlias(key) ? buildAlias(key, stack) : buildConcrete(key, defaultSettings());
    cache.set(key, model);
    return model;
  }

  function buildAlias(name: string, stack: readonly string[]): LanguageModel {
    if (stack.includes(name)) {
      throw new ConduitError('invalid_request', `Model alias cycle in conduit.yaml: ${[...stack, name].join(' → ')}`, { code: 'alias_cycle', param: 'model', model: name });
    }
    const alias = aliases[name]!;
    const path = [...stack, name];
    if (typeof alias === 'string') {
      // `gpt-4o: gpt-4o` (an alias that pins a name to itself) means the concrete model, not a loop.
      return alias === name ? buildConcrete(alias, defaultSettings()) : resolveName(alias, path);
    }
    return buildRoutedAlias(name, alias, path);
  }

  function buildRoutedAlias(name: string, alias: AliasObjectConfig, path: readonly string[]): LanguageModel {
    const settings: ConcreteSettings = { maxRetries: alias.max_retries ?? config.reliability.max_retries };
    const attemptTimeoutMs = alias.timeout_ms ?? config.reliability.attempt_timeout_ms;
    if (attemptTimeoutMs !== undefined) settings.attemptTimeoutMs = attemptTimeoutMs;
    if (alias.stream_idle_timeout_ms !== undefined) settings.idleTimeoutMs = alias.stream_idle_timeout_ms;

    const usedIds = new Set<string>();
    const deployments = alias.deployments.map((d, index) => {
      const model = buildDeployment(name, d, index, settings);
      let id = d.id ?? d.model;
      if (usedIds.has(id)) id = `${id}#${index}`;
      usedIds.add(id);
      return { id, model, weight: d.weight, ...deploymentProfile(d) };
    });
    const policy = aliasRoutingPolicy(alias, { priceTable, resolve: (classifier) => resolveName(classifier, path) });
    const sensitivity = aliasSensitivity(alias);
    let router: Router;
    try {
      router = createRouter({
        name,
        deployments,
        strategy: baseStrategy(alias),
        ...(policy ? { policy } : {}),
        ...(sensitivity ? { sensitivity } : {}),
        breaker: { failureThreshold: config.reliability.circuit_breaker.failure_threshold, cooldownMs: config.reliability.circuit_breaker.cooldown_ms },
        retryBudget: aliasRetryBudget(alias, settings.maxRetries),
      });
    } catch (err) {
      throw err instanceof TypeError ? aliasConfigError(name, err) : err;
    }
    builtRouters.set(name, router);
    if (alias.fallbacks.length === 0) return router;
    const fallbacks = alias.fallbacks.map((f) => resolveName(f, path));
    const chain = createFallbackChain([router, ...fallbacks], { name, retryBudget: aliasRetryBudget(alias, settings.maxRetries) });
    if (!sensitivity) return chain;
    // A request with PII must not reach a cloud fallback either: it gets a chain of on-premises targets only.
    const onPremises = fallbacks.filter((_, i) => isOnPremisesTarget(alias.fallbacks[i]!, aliases));
    const sensitive = onPremises.length === 0 ? router : createFallbackChain([router, ...onPremises], { name, retryBudget: aliasRetryBudget(alias, settings.maxRetries) });
    return createSensitivityGate({ name, sensitive, general: chain, ...sensitivity });
  }

  function buildDeployment(alias: string, d: DeploymentConfig, index: number, base: ConcreteSettings): LanguageModel {
    if (isAlias(d.model) && d.model !== alias) {
      throw new ConduitError(
        'invalid_request',
        `models.${alias}.deployments[${index}].model: "${d.model}" is an alias; a deployment names a concrete model (provider/model). Put aliases under fallbacks.`,
        { code: 'invalid_deployment', param: 'model', model: alias },
      );
    }
    const settings: ConcreteSettings = { ...base };
    if (d.api_key !== undefined) settings.apiKey = d.api_key;
    if (d.base_url !== undefined) settings.baseURL = d.base_url;
    return buildConcrete(d.model, settings);
  }

  /** A provider model, wrapped with cost and retry. Not cached here: resolveName caches by name. */
  function buildConcrete(name: string, settings: ConcreteSettings): LanguageModel {
    const parsed = parseModelName(name);
    if (parsed.form === 'unknown') throw unknownModel(name);
    const { provider, model } = parsed;
    if (provider === OFFLINE) return wrapLanguageModel(factories.offline(), cost);
    if (provider === 'llamacpp') {
      if (!isProviderConfigured(config, 'llamacpp')) throw notConfigured(name, 'llamacpp');
      const l = config.llamacpp!;
      const base = factories.llamacpp({
        modelPath: resolveLlamaFile(config, model),
        threads: l.threads,
        gpu: l.gpu === true ? 'auto' : l.gpu,
        ...(l.context_size !== undefined ? { contextSize: l.context_size } : {}),
        ...(l.prompt_format !== undefined ? { promptFormat: l.prompt_format } : {}),
      });
      // No retries: a local model that failed will fail the same way again.
      return wrapLanguageModel(base, cost);
    }
    if (model === '') throw new ConduitError('not_found', `Model "${name}": name a model after "${provider}/"`, { code: 'model_not_found', param: 'model', model: name });
    return withRetry(wrapLanguageModel(buildProviderModel(name, provider, model, settings), cost), retryOptions(settings));
  }

  function buildProviderModel(name: string, provider: string, modelId: string, s: ConcreteSettings): LanguageModel {
    const idle = s.idleTimeoutMs !== undefined ? { idleTimeoutMs: s.idleTimeoutMs } : {};
    switch (provider) {
      case 'openai': {
        const p = config.providers.openai;
        const apiKey = s.apiKey ?? p?.api_key;
        const baseURL = s.baseURL ?? p?.base_url;
        if (!apiKey && !baseURL) throw notConfigured(name, 'openai');
        return factories.openai({ modelId, ...defined({ apiKey, baseURL, organization: p?.organization }), ...idle });
      }
      case 'anthropic': {
        const p = config.providers.anthropic;
        const apiKey = s.apiKey ?? p?.api_key;
        const baseURL = s.baseURL ?? p?.base_url;
        if (!apiKey && !baseURL) throw notConfigured(name, 'anthropic');
        return factories.anthropic({ modelId, ...defined({ apiKey, baseURL }), ...idle });
      }
      case 'ollama': {
        const baseURL = s.baseURL ?? config.providers.ollama?.base_url;
        if (!baseURL) throw notConfigured(name, 'ollama');
        return factories.openaiCompatible({ provider: 'ollama', modelId, baseURL: ollamaOpenAIBaseURL(baseURL), ...defined({ apiKey: s.apiKey }), ...idle });
      }
      default: {
        if (!isCompat(provider)) throw unknownProvider(name, provider);
        const entry = compat[provider]!;
        return factories.openaiCompatible({
          provider,
          modelId,
          baseURL: s.baseURL ?? entry.base_url,
          ...defined({ apiKey: s.apiKey ?? entry.api_key, headers: entry.headers }),
          ...idle,
        });
      }
    }
  }

  function unknownProviderList(): string {
    return [...BUILTIN_PROVIDER_NAMES.filter((p) => p !== OFFLINE), ...Object.keys(compat)].join(', ');
  }

  function unknownModel(name: string): ConduitError {
    const aliasNames = Object.keys(aliases);
    const aliasHint = aliasNames.length > 0 ? `a model alias (${aliasNames.join(', ')})` : 'a model alias from conduit.yaml (models:)';
    return new ConduitError(
      'not_found',
      `Unknown model "${name}": use ${aliasHint}, provider/model (providers: ${unknownProviderList()}), a well-known name (gpt-*, o1*/o3*/o4*, chatgpt-*, claude-*), or offline. \`conduit models\` lists what is available.`,
      { code: 'model_not_found', param: 'model', model: name },
    );
  }

  function unknownProvider(name: string, provider: string): ConduitError {
    return new ConduitError(
      'not_found',
      `Unknown model "${name}": "${provider}" is not a provider (providers: ${unknownProviderList()}). An OpenAI-compatible server is added under providers.openai_compatible.${provider} in conduit.yaml.`,
      { code: 'model_not_found', param: 'model', model: name },
    );
  }

  function notConfigured(name: string, provider: string): ConduitError {
    return new ConduitError('not_found', `Model "${name}" needs the ${provider} provider, which is not configured: ${providerGuidance(provider)}`, {
      code: 'provider_not_configured',
      param: 'model',
      provider,
      model: name,
    });
  }

  function resolveEmbedding(name: string): EmbeddingModel {
    const key = name.trim();
    const cached = embeddingCache.get(key);
    if (cached) return cached;
    const model = withEmbeddingCost(buildEmbedding(key), priceTable);
    embeddingCache.set(key, model);
    return model;
  }

  function buildEmbedding(name: string): EmbeddingModel {
    if (EMBEDDED_NAMES.has(name)) return factories.defaultEmbedding();
    const parsed = parseModelName(name);
    if (parsed.form === 'unknown' || (parsed.form === 'bare' && parsed.provider !== 'openai')) {
      throw new ConduitError(
        'not_found',
        `Unknown embedding model "${name}": use ${DEFAULT_EMBEDDING_PROVIDER}/${DEFAULT_EMBEDDING_MODEL_ID} (built in, no download), openai/text-embedding-3-small, ollama/<model> or <openai_compatible name>/<model>`,
        { code: 'model_not_found', param: 'model', model: name },
      );
    }
    const { provider, model } = parsed;
    switch (provider) {
      case 'openai': {
        const p = config.providers.openai;
        if (!p?.api_key && !p?.base_url) throw notConfigured(name, 'openai');
        return factories.openaiEmbedding({ modelId: model, ...defined({ apiKey: p.api_key, baseURL: p.base_url, organization: p.organization }) });
      }
      case 'ollama': {
        const baseURL = config.providers.ollama?.base_url;
        if (!baseURL) throw notConfigured(name, 'ollama');
        return factories.openaiEmbedding({ modelId: model, baseURL: ollamaOpenAIBaseURL(baseURL), provider: 'ollama' });
      }
      case 'anthropic':
      case 'llamacpp':
      case OFFLINE:
        throw new ConduitError('not_found', `Embedding model "${name}": the ${provider} provider has no embeddings; use ${DEFAULT_EMBEDDING_PROVIDER}/${DEFAULT_EMBEDDING_MODEL_ID} or an OpenAI-compatible embedding model`, {
          code: 'model_not_found',
          param: 'model',
          model: name,
        });
      default: {
        if (!isCompat(provider)) throw unknownProvider(name, provider);
        const entry = compat[provider]!;
        return factories.openaiEmbedding({ modelId: model, baseURL: entry.base_url, provider, ...defined({ apiKey: entry.api_key, headers: entry.headers }) });
      }
    }
  }

  function list(): ModelInfo[] {
    const out: ModelInfo[] = [];
    const seen = new Set<string>();
    const add = (info: ModelInfo) => {
      if (seen.has(info.id)) return;
      seen.add(info.id);
      out.push(info);
    };
    for (const name of Object.keys(aliases)) add({ id: name, provider: 'alias', kind: 'alias', ownedBy: 'conduit' });
    for (const provider of ['openai', 'anthropic'] as const) {
      if (!isProviderConfigured(config, provider) || isRemoteListed(provider)) continue;
      for (const id of KNOWN_CHAT_MODELS[provider]) add({ id: `${provider}/${id}`, provider, kind: 'model', ownedBy: provider });
    }
    if (isProviderConfigured(config, 'openai') && !isRemoteListed('openai')) {
      for (const id of KNOWN_EMBEDDING_MODELS.openai) add({ id: `openai/${id}`, provider: 'openai', kind: 'embedding', ownedBy: 'openai' });
    }
    for (const id of listLlamaModels(config)) add({ id, provider: 'llamacpp', kind: 'model', ownedBy: 'local' });
    add({ id: OFFLINE, provider: OFFLINE, kind: 'model', ownedBy: 'conduit' });
    add({ id: `${DEFAULT_EMBEDDING_PROVIDER}/${DEFAULT_EMBEDDING_MODEL_ID}`, provider: DEFAULT_EMBEDDING_PROVIDER, kind: 'embedding', ownedBy: 'conduit' });
    // What servers reported at the last listReachable(), however old: list() stays synchronous.
    for (const { models } of remoteCache.values()) for (const m of models) add(m);
    return out;
  }

  /** OpenAI pointed at another server (vLLM, LM Studio…) is asked for its models instead of listing OpenAI's. */
  function isRemoteListed(provider: 'openai' | 'anthropic'): boolean {
    if (provider !== 'openai') return false;
    const baseURL = config.providers.openai?.base_url;
    return baseURL !== undefined && new URL(baseURL).hostname !== OPENAI_PUBLIC_HOST;
  }

  async function listRemote(provider: string, baseURL: string, apiKey: string | undefined, headers: Record<string, string> | undefined): Promise<ModelInfo[]> {
    const hit = remoteCache.get(provider);
    if (hit && Date.now() - hit.at < listCacheMs) return hit.models;
    let found: ModelInfo[];
    try {
      found = await listOpenAIModels({ baseURL, provider, ...defined({ apiKey, headers }), options: { attemptTimeoutMs: listTimeoutMs } });
    } catch (err) {
      remoteCache.delete(provider);
      throw err;
    }
    const models = found.map((m) => ({ ...m, id: `${provider}/${m.id}`, provider, kind: 'model' as const }));
    remoteCache.set(provider, { at: Date.now(), models });
    return models;
  }

  async function listReachable(): Promise<ModelInfo[]> {
    const queries: Promise<ModelInfo[]>[] = [];
    const remoteProviders = new Set<string>();
    const ollama = config.providers.ollama?.base_url;
    if (ollama) {
      remoteProviders.add('ollama');
      queries.push(listRemote('ollama', ollamaOpenAIBaseURL(ollama), undefined, undefined));
    }
    if (isRemoteListed('openai')) {
      const p = config.providers.openai!;
      remoteProviders.add('openai');
      queries.push(listRemote('openai', p.base_url!, p.api_key, undefined));
    }
    for (const [name, entry] of Object.entries(compat)) {
      remoteProviders.add(name);
      queries.push(listRemote(name, entry.base_url, entry.api_key, entry.headers));
    }
    const settled = await Promise.allSettled(queries);
    const out = list().filter((m) => !remoteProviders.has(m.provider) || m.kind === 'alias');
    const seen = new Set(out.map((m) => m.id));
    for (const result of settled) {
      // A server that is down or slow is simply not listed: /v1/models must still answer.
      if (result.status !== 'fulfilled') continue;
      for (const m of result.value) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
      }
    }
    return out;
  }

  function defaultModelName(): string {
    if (config.default_model) return config.default_model;
    for (const provider of configuredProviders(config)) {
      if (provider === 'openai' || provider === 'anthropic' || provider === 'ollama') {
        // An OpenAI base URL pointing elsewhere may not serve gpt-4o-mini: do not guess for it.
        if (provider === 'openai' && isRemoteListed('openai')) continue;
        return `${provider}/${PROVIDER_DEFAULT_MODELS[provider]}`;
      }
      if (provider === 'llamacpp') {
        const file = listLlamaModels(config)[0];
        if (file) return file;
      }
    }
    const firstAlias = Object.keys(aliases)[0];
    return firstAlias ?? OFFLINE;
  }

  function validate(): AliasProblem[] {
    const problems: AliasProblem[] = [];
    for (const name of Object.keys(aliases)) {
      try {
        resolveName(name, []);
      } catch (err) {
        problems.push({ name, error: err instanceof ConduitError ? err : new ConduitError('internal', String(err), { cause: err }) });
      }
    }
    const fallbackDefault = defaultModelName();
    if (!isAlias(fallbackDefault)) {
      try {
        resolveName(fallbackDefault, []);
      } catch (err) {
        problems.push({ name: 'default_model', error: err instanceof ConduitError ? err : new ConduitError('internal', String(err), { cause: err }) });
      }
    }
    const embedding = defaultEmbeddingModelName();
    try {
      resolveEmbedding(embedding);
    } catch (err) {
      problems.push({ name: 'embeddings.default_model', error: err instanceof ConduitError ? err : new ConduitError('internal', String(err), { cause: err }) });
    }
    return problems;
  }

  function defaultEmbeddingModelName(): string {
    return config.embeddings.default_model ?? `${DEFAULT_EMBEDDING_PROVIDER}/${DEFAULT_EMBEDDING_MODEL_ID}`;
  }

  return {
    config,
    priceTable,
    resolve: (name) => resolveName(name, []),
    resolveEmbedding,
    list,
    listReachable,
    defaultModelName,
    defaultEmbeddingModelName,
    validate,
    routers: () => [...builtRouters.values()],
    startHealthChecks() {
      const intervalMs = config.reliability.health_check_interval_ms;
      if (intervalMs === 0 || healthCheckers.length > 0) return;
      for (const name of Object.keys(aliases)) {
        try {
          resolveName(name, []);
        } catch {
          // Reported by validate() / on use; nothing to check for a broken alias.
        }
      }
      for (const router of builtRouters.values()) {
        if (router.deployments.length > 1) healthCheckers.push(startRouterHealthChecks(router, { intervalMs }));
      }
    },
    close() {
      for (const checker of healthCheckers.splice(0)) checker.stop();
    },
  };
}

/**
 * One budget per request for a routed alias: one try per deployment and per fallback, plus the
 * alias's max_retries extra attempts wherever they are needed (same deployment or the next).
 */
export function aliasRetryBudget(alias: AliasObjectConfig, maxRetries: number): number {
  return alias.deployments.length - 1 + alias.fallbacks.length + maxRetries;
}

function retryOptions(s: ConcreteSettings): RetryOptions {
  const opts: RetryOptions = { maxRetries: s.maxRetries };
  if (s.attemptTimeoutMs !== undefined) opts.attemptTimeoutMs = s.attemptTimeoutMs;
  if (s.idleTimeoutMs !== undefined) opts.idleTimeoutMs = s.idleTimeoutMs;
  return opts;
}

/** conduit.yaml's snake_case prices → the price table's ModelPrice fields. */
export function priceOverrides(config: ConduitConfig): Record<string, Partial<ModelPrice>> {
  const out: Record<string, Partial<ModelPrice>> = {};
  for (const [model, p] of Object.entries(config.prices)) {
    out[model] = defined({ input: p.input, output: p.output, cachedInput: p.cached_input, cacheWrite: p.cache_write, reasoning: p.reasoning });
  }
  return out;
}

/** Drops undefined fields, so optional settings are absent rather than `undefined`. */
function defined<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
