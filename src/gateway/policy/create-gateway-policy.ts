/**
 * The gateway's policy layer, in the order of src/ratelimit/README.md: emergency stop →
 * authentication → model authorisation → runaway protection → rate limits → budget reservation →
 * the model call through the caller's guardrails and caches → accounting (budget commit, usage
 * ledger, audit). Built only when some policy is configured; see gateway-policy.ts.
 */
import { ConduitError } from '../../core/errors.js';
import type { AuditEntryInput } from '../../audit/index.js';
import type { JsonValue, KeyPrincipal, KeyRecord, Principal } from '../../auth/index.js';
import { KEY_PREFIX, MASTER_PRINCIPAL, authorizeModel, extractCredential, principalFromKey, principalLabel, verifyMasterKey } from '../../auth/index.js';
import { createBudgetManager } from '../../budgets/index.js';
import type { BudgetManager, BudgetReservation, BudgetRule } from '../../budgets/index.js';
import { cacheControlToCallOptions, exactCacheMiddleware } from '../../cache/index.js';
import type { GuardrailDecision, GuardrailPolicy } from '../../guardrails/index.js';
import { guardrailsMiddleware, parseGuardrailPolicy } from '../../guardrails/index.js';
import type { CacheCallOptions, CacheOutcomeEvent, CallOptions, EmbeddingModel, LanguageModel, ModelRequest } from '../../models/language-model.js';
import { countMessageTokens } from '../../models/tokenizer/index.js';
import type { LanguageModelMiddleware } from '../../models/wrap-language-model.js';
import { wrapLanguageModel } from '../../models/wrap-language-model.js';
import { emergencyStopError, rateLimitHeaderPairs } from '../../ratelimit/index.js';
import type { LimitCheck, LimitDecision, LimitTicket } from '../../ratelimit/index.js';
import type { RequestContext } from '../context.js';
import { httpStatusOf } from '../errors.js';
import { CallAccounting, accountedEmbeddingModel, accountedModel } from './call-accounting.js';
import type { GatewayPolicy } from './gateway-policy.js';
import type { PolicyServices } from './policy-services.js';
import { callerKeyId, limitChecksFor, needsTokenEstimate } from './rate-limit-checks.js';

/** Output tokens assumed for a budget estimate when the request sets no max_tokens. */
export const DEFAULT_OUTPUT_TOKEN_ESTIMATE = 1000;
const MAX_CACHED_POLICIES = 1000;

export function createGatewayPolicy(services: PolicyServices): GatewayPolicy {
  const { keys, jwt, emergencyStop, runaway, limiter, limits, priceTable } = services;
  const masterKey = services.masterKey === '' ? undefined : services.masterKey;
  const principals = new WeakMap<KeyRecord, KeyPrincipal>();
  const inflight = new Map<string, CallAccounting>();
  const onDecision = (d: GuardrailDecision): void => {
    if (d.requestId !== undefined) inflight.get(d.requestId)?.decisions.push(d);
  };

  // Budget managers: one for the configured rules, one per key that carries budgets of its own.
  const budgetSettings = services.budgets;
  const globalBudgets = budgetSettings !== undefined && budgetSettings.rules.length > 0 ? managerFor(budgetSettings.rules) : undefined;
  const keyBudgets = new Map<string, BudgetManager>();
  function managerFor(rules: BudgetRule[]): BudgetManager {
    const s = budgetSettings!;
    return createBudgetManager({
      store: s.store,
      budgets: rules,
      ...(s.ledger === undefined ? {} : { ledger: s.ledger }),
      ...(s.onAlert === undefined ? {} : { onAlert: s.onAlert }),
      ...(s.failMode === undefined ? {} : { failMode: s.failMode }),
      onError: (err) => services.logger?.warn({ err }, 'budget store problem'),
    });
  }
  // The manager of a key principal, per principal object (one per cached key record): the lookup
  // below serialises the key's budgets, which is not worth doing on every request.
  const principalBudgets = new WeakMap<KeyPrincipal, BudgetManager>();
  function budgetsOf(principal: Principal | undefined): BudgetManager | undefined {
    if (budgetSettings === undefined || principal?.kind !== 'key' || principal.budgets.length === 0) return globalBudgets;
    let known = principalBudgets.get(principal);
    if (known === undefined) {
      known = keyBudgetManager(principal);
      principalBudgets.set(principal, known);
    }
    return known;
  }
  function keyBudgetManager(principal: KeyPrincipal): BudgetManager {
    const s = budgetSettings!;
    const cacheKey = principal.keyId + JSON.stringify(principal.budgets);
    let manager = keyBudgets.get(cacheKey);
    if (manager === undefined) {
      const own: BudgetRule[] = principal.budgets.map((b) => ({
        id: `key:${principal.keyId}:${b.window}`,
        name: `key ${principal.keyName}/${b.window}`,
        scope: 'key',
        scopeId: principal.keyId,
        window: b.window,
        limitUsd: b.limitUsd,
      }));
      if (keyBudgets.size >= MAX_CACHED_POLICIES) keyBudgets.clear();
      manager = managerFor([...s.rules, ...own]);
      keyBudgets.set(cacheKey, manager);
    }
    return manager;
  }

  // Middleware stacks (guardrails, exact cache, semantic cache), one per distinct guardrails policy.
  const globalGuardrails = services.guardrails;
  const cachingOn = services.exactCache !== undefined || services.semanticCache !== undefined;
  const cacheLayers: LanguageModelMiddleware[] = [];
  if (services.exactCache !== undefined) {
    cacheLayers.push(exactCacheMiddleware({ store: services.exactCache.store, ttlMs: services.exactCache.ttlMs, stats: services.cacheStats, onError: (err) => services.logger?.warn({ err }, 'response cache problem') }));
  }
  if (services.semanticCache !== undefined) cacheLayers.push(services.semanticCache);
  const defaultStack: LanguageModelMiddleware[] = [...(globalGuardrails === undefined ? [] : [guardrailsMiddleware(globalGuardrails, { onDecision })]), ...cacheLayers];
  const keyStacks = new Map<string, LanguageModelMiddleware[]>();
  function stackFor(principal: Principal | undefined): LanguageModelMiddleware[] {
    const own: JsonValue | null | undefined = principal?.kind === 'key' ? principal.guardrails : undefined;
    if (own === undefined || own === null) return defaultStack;
    const cacheKey = JSON.stringify(own);
    let stack = keyStacks.get(cacheKey);
    if (stack === undefined) {
      let policy: GuardrailPolicy;
      try {
        policy = parseGuardrailPolicy(own);
      } catch (err) {
        throw new ConduitError('internal', 'This API key carries an invalid guardrails policy', { cause: err, code: 'invalid_key_policy' });
      }
      if (keyStacks.size >= MAX_CACHED_POLICIES) keyStacks.clear();
      stack = [guardrailsMiddleware(policy, { onDecision }), ...cacheLayers];
      keyStacks.set(cacheKey, stack);
    }
    return stack;
  }

  const accountingOn = services.ledgerBuffer !== undefined || services.auditBuffer !== undefined || budgetSettings !== undefined || limiter !== undefined;

  async function authenticate(ctx: RequestContext): Promise<void> {
    const cred = extractCredential(ctx.req.headers);
    if (cred.type === 'none') {
      throw new ConduitError('authentication', 'Missing API key: send it as "Authorization: Bearer <key>" (or x-api-key)', { code: 'missing_api_key' });
    }
    if (cred.type === 'jwt') {
      if (jwt === undefined) throw new ConduitError('authentication', 'Invalid API key', { code: 'invalid_api_key' });
      ctx.principal = await jwt.verify(cred.value);
      return;
    }
    if (cred.value.startsWith(KEY_PREFIX) && keys !== undefined) {
      const record = await keys.authenticate(cred.value);
      let principal = principals.get(record);
      if (principal === undefined) {
        principal = principalFromKey(record);
        principals.set(record, principal);
      }
      ctx.principal = principal;
      return;
    }
    if (verifyMasterKey(cred.value, masterKey)) {
      ctx.principal = MASTER_PRINCIPAL;
      return;
    }
    throw new ConduitError('authentication', 'Invalid API key', { code: 'invalid_api_key' });
  }

  function observeRunaway(principal: Principal | undefined): void {
    if (runaway === undefined) return;
    const keyId = callerKeyId(principal);
    const scopes: [string, string][] = keyId === undefined ? [['global', '*']] : [['key', keyId], ['global', '*']];
    for (const [scope, id] of scopes) {
      const verdict = runaway.observe(scope, id);
      if (!verdict.allowed) {
        throw new ConduitError('rate_limited', `Request rate far above its normal level for ${scope === 'key' ? 'this key' : 'this gateway'}: throttled (runaway protection)`, {
          code: 'runaway_throttled',
          retryAfterMs: verdict.retryAfterMs,
        });
      }
    }
  }

  /** Consumes the rate limits; sets the x-ratelimit-* headers for whatever response follows. */
  async function consumeLimits(ctx: RequestContext, checks: LimitCheck[]): Promise<LimitDecision | undefined> {
    if (limiter === undefined || checks.length === 0) return undefined;
    const decision = await limiter.consume(checks);
    // Retry-After comes from the error itself (sendError), once.
    ctx.responseHeaders = rateLimitHeaderPairs(decision, false);
    if (decision.allowed) return decision;
    const refusing = decision.checks.find((c) => !c.allowed);
    const what = refusing === undefined ? 'rate limit' : `${refusing.metric}-per-minute limit of ${refusing.scope === 'global' ? 'the gateway' : `${refusing.scope} '${refusing.id}'`} (${refusing.limit})`;
    if (decision.tooLarge) {
      throw new ConduitError('invalid_request', `This request alone exceeds the ${what}`, { status: 429, code: 'rate_limit_request_too_large' });
    }
    throw new ConduitError('rate_limited', `Rate limit reached: the ${what} is used up; retry after ${Math.ceil(decision.retryAfterMs / 1000)} s`, {
      code: 'rate_limit_exceeded',
      retryAfterMs: decision.retryAfterMs,
    });
  }

  /**
   * Every refusal (401 / 403 / 429 / budget / emergency stop) is audited with the rule that refused:
   * an operator can see who was turned away and why. Not awaited for durability: a refused request
   * produced no content, and a flood of bad keys must not be able to stall the gateway on the log.
   */
  function auditRefusal(ctx: RequestContext, resource: string, err: unknown): void {
    const audit = services.auditBuffer;
    if (audit === undefined || !(err instanceof ConduitError)) return;
    const principal = ctx.principal;
    const entry: AuditEntryInput = {
      requestId: ctx.requestId,
      actor: principal === undefined ? 'anonymous' : principalLabel(principal),
      action: 'request.refused',
      resource,
      outcome: 'denied',
      details: { route: ctx.route, status: httpStatusOf(err), kind: err.kind, code: err.code ?? null },
    };
    if (principal?.userId !== undefined) entry.userId = principal.userId;
    audit.append(entry);
  }

  return {
    async admit(ctx) {
      try {
        if (emergencyStop !== undefined && emergencyStop.isStopped()) throw emergencyStopError(emergencyStop.state());
        if (masterKey !== undefined) await authenticate(ctx);
      } catch (err) {
        auditRefusal(ctx, ctx.route, err);
        throw err;
      }
    },

    async prepare(ctx, requested, model, request, options) {
      try {
        return await prepareCall(ctx, requested, model, request, options);
      } catch (err) {
        auditRefusal(ctx, requested, err);
        throw err;
      }
    },

    async prepareEmbedding(ctx, requested, model, inputs) {
      try {
        return await prepareEmbeddingCall(ctx, requested, model, inputs);
      } catch (err) {
        auditRefusal(ctx, requested, err);
        throw err;
      }
    },
  };

  async function prepareCall(ctx: RequestContext, requested: string, model: LanguageModel, request: ModelRequest, options: CallOptions): Promise<LanguageModel> {
    const principal = ctx.principal;
    if (principal !== undefined) authorizeModel(principal, [requested, `${model.provider}/${model.modelId}`, model.modelId]);
    observeRunaway(principal);

    const budgets = budgetsOf(principal);
    const tokenLimits = limits !== undefined && needsTokenEstimate(limits, principal, requested);
    const inputTokens = tokenLimits || budgets !== undefined || accountingOn ? estimateInputTokens(model, request) : 0;
    const tokenCharge = inputTokens + (request.maxTokens ?? 0);
    const outputEstimate = request.maxTokens ?? DEFAULT_OUTPUT_TOKEN_ESTIMATE;
    const { tokenChecks, ticket, budget } = await admitCharges(ctx, requested, principal, budgets, tokenCharge, model, inputTokens, outputEstimate);

    if (cachingOn) {
      const header = ctx.req.headers['cache-control'];
      const cache: CacheCallOptions = {
        scope: principal === undefined ? '' : principalLabel(principal),
        onOutcome: (event: CacheOutcomeEvent) => {
          // With both layers stacked the last event is the final word; a bypass reads as a miss.
          ctx.cacheOutcome = event.outcome === 'bypass' ? 'miss' : event.outcome;
        },
      };
      if (header !== undefined) {
        const directives = cacheControlToCallOptions(header);
        if (directives.bypass !== undefined) cache.bypass = directives.bypass;
        if (directives.noStore !== undefined) cache.noStore = directives.noStore;
      }
      (options as { cache?: CallOptions['cache'] }).cache = cache;
    }

    const stack = stackFor(principal);
    const guarded = stack.length === 0 ? model : wrapLanguageModel(model, stack);
    if (!accountingOn) return guarded;
    const accounting = new CallAccounting(services, {
      requestId: ctx.requestId,
      principal,
      requested,
      provider: model.provider,
      modelId: model.modelId,
      streamed: ctx.stream,
      prompt: request.messages,
      inputTokenEstimate: inputTokens,
      tokenCharge,
      tokenChecks,
      ticket,
      budget,
      estimateOutputTokens: ctx.gw.estimateTokens,
    });
    if (stack.length !== cacheLayers.length) {
      // Guardrail decisions arrive through the shared hook with the request id: route them here.
      inflight.set(ctx.requestId, accounting);
      ctx.res.once('close', () => inflight.delete(ctx.requestId));
    }
    return accountedModel(guarded, accounting);
  }

  async function prepareEmbeddingCall(ctx: RequestContext, requested: string, model: EmbeddingModel, inputs: readonly string[]): Promise<EmbeddingModel> {
    const principal = ctx.principal;
    if (principal !== undefined) authorizeModel(principal, [requested, `${model.provider}/${model.modelId}`, model.modelId]);
    observeRunaway(principal);
    const budgets = budgetsOf(principal);
    const needTokens = (limits !== undefined && needsTokenEstimate(limits, principal, requested)) || budgets !== undefined || accountingOn;
    let inputTokens = 0;
    if (needTokens) for (const input of inputs) inputTokens += ctx.gw.estimateTokens(input);
    const { tokenChecks, ticket, budget } = await admitCharges(ctx, requested, principal, budgets, inputTokens, model, inputTokens, 0);
    if (!accountingOn) return model;
    const accounting = new CallAccounting(services, {
      requestId: ctx.requestId,
      principal,
      requested,
      provider: model.provider,
      modelId: model.modelId,
      streamed: false,
      prompt: inputs,
      inputTokenEstimate: inputTokens,
      tokenCharge: inputTokens,
      tokenChecks,
      ticket,
      budget,
      estimateOutputTokens: ctx.gw.estimateTokens,
    });
    return accountedEmbeddingModel(model, accounting);
  }

  /**
   * Rate limits, then the budget hold (on the estimated cost), for a call about to run. A budget
   * refusal gives the rate-limit tokens back: the request never ran.
   */
  async function admitCharges(
    ctx: RequestContext,
    requested: string,
    principal: Principal | undefined,
    budgets: BudgetManager | undefined,
    tokenCharge: number,
    model: { provider: string; modelId: string },
    inputTokens: number,
    outputTokenEstimate: number,
  ): Promise<{ tokenChecks: LimitCheck[]; ticket: LimitTicket | undefined; budget: { manager: BudgetManager; reservation: BudgetReservation } | undefined }> {
    const checks = limits === undefined ? NO_CHECKS : limitChecksFor(limits, principal, requested, tokenCharge);
    const decision = await consumeLimits(ctx, checks);
    let tokenChecks: LimitCheck[] = NO_CHECKS;
    for (const c of checks) {
      if (c.metric !== 'tokens') continue;
      if (tokenChecks === NO_CHECKS) tokenChecks = [];
      tokenChecks.push(c);
    }
    const ticket: LimitTicket | undefined = decision?.ticket;
    if (budgets === undefined) return { tokenChecks, ticket, budget: undefined };
    const ctxIds: { keyId?: string; userId?: string; team?: string } = {};
    const keyId = callerKeyId(principal);
    if (keyId !== undefined) ctxIds.keyId = keyId;
    if (principal?.userId !== undefined) ctxIds.userId = principal.userId;
    if (principal?.team !== undefined) ctxIds.team = principal.team;
    try {
      // Priced only here: without budgets the estimate is never needed.
      const estimate = priceTable.cost(model.provider, model.modelId, { ...NO_TOKENS, inputTokens, outputTokens: outputTokenEstimate });
      const { reservation } = await budgets.reserve(ctxIds, estimate ?? 0);
      return { tokenChecks, ticket, budget: { manager: budgets, reservation } };
    } catch (err) {
      if (tokenChecks.length > 0 && limiter !== undefined) void limiter.adjust(tokenChecks, -tokenCharge, ticket).catch(() => undefined);
      throw err;
    }
  }
}

const NO_TOKENS = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
/** Shared empty check list; frozen, so a caller that tried to add to it would fail loudly. */
const NO_CHECKS = Object.freeze([]) as unknown as LimitCheck[];

function estimateInputTokens(model: LanguageModel, request: ModelRequest): number {
  try {
    return countMessageTokens(model.provider, model.modelId, request.messages, request.tools);
  } catch {
    // An unknown tokenizer must not fail the request: ~4 characters per token.
    let chars = 0;
    for (const m of request.messages) chars += JSON.stringify(m).length;
    return Math.ceil(chars / 4);
  }
}
