/**
 * A model alias served by several deployments. Per request the router picks a deployment with its
 * strategy, skipping unhealthy ones and those whose circuit is open; on a retryable failure before
 * commit it fails over to the next-best deployment of the alias, drawing on the request's shared
 * retry budget and within its deadline. Streams fail over transparently before their first content
 * part (stream-failover.ts). Results report the serving deployment's provider.
 *
 * Request-aware routing (src/reliability/routing): with `sensitivity`, a request containing PII
 * may use only deployments marked `onPremises`; with a `policy` (cost-aware, complexity-based) the
 * policy orders the deployments per request into groups, and the base strategy picks within a
 * group. Without either, nothing per request runs beyond the base strategy.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelCapabilities, ModelRequest, StreamPart } from '../models/language-model.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitSnapshot } from '../middleware/circuit-breaker.js';
import type { AttemptOutcome, AttemptPlan, AttemptTarget, PickContext } from './attempt-plan.js';
import { systemClock, type Clock } from './clock.js';
import { isRetryableError } from './error-policy.js';
import { generateWithFailover } from './generate-failover.js';
import { ensureRetryBudget } from './retry-budget.js';
import { streamWithFailover, type StreamFailoverOptions } from './stream-failover.js';
import { chooseDeployment, ROUTING_STRATEGIES, updateEma, type DeploymentLoad, type RoutingStrategy } from './strategies.js';
import { onPremisesRefusal, requestPii, type DataSensitivityOptions } from './routing/data-sensitivity.js';
import { routingHintsOf, type DeploymentProfile, type RouteCandidate, type RouteDecision, type RoutingPolicy } from './routing/route-decision.js';

export interface RouterDeployment extends DeploymentProfile {
  id: string;
  model: LanguageModel;
  /** Relative share for the `weighted` strategy (default 1). */
  weight?: number;
}

export interface RouterOptions {
  /** The alias this router serves (its modelId). */
  name: string;
  deployments: RouterDeployment[];
  /** Picks among deployments (within a policy's group, when there is a policy). */
  strategy: RoutingStrategy;
  /** Orders the deployments per request (cost-aware, complexity-based); see src/reliability/routing. */
  policy?: RoutingPolicy;
  /** Requests with PII go only to deployments marked `onPremises`, or are refused. */
  sensitivity?: DataSensitivityOptions;
  /** Circuit breaker settings for every deployment, or false for none. */
  breaker?: CircuitBreakerOptions | false;
  random?: () => number;
  clock?: Clock;
  /** Size of the retry budget the router creates when the request carries none (default: deployments − 1, one try each). */
  retryBudget?: number;
  /** Weight of the newest sample in the latency moving average (default 0.3). */
  latencyAlpha?: number;
  /** Timeout of one deployment attempt (generate: the call; stream: until first content). */
  attemptTimeoutMs?: number;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
  countTokens?: (text: string) => number;
}

export interface DeploymentStatus {
  id: string;
  provider: string;
  modelId: string;
  weight: number;
  healthy: boolean;
  inFlight: number;
  latencyEmaMs: number | undefined;
  /** Undefined when the router has no breakers. */
  circuit: CircuitSnapshot | undefined;
}

export interface Router extends LanguageModel {
  readonly name: string;
  readonly strategy: RoutingStrategy;
  /** The request-aware policy's name (`cost`, `complexity`), if any. */
  readonly policy: string | undefined;
  readonly deployments: readonly RouterDeployment[];
  /** Per-deployment state for /health and metrics. */
  status(): DeploymentStatus[];
  /** Marks a deployment (un)healthy, e.g. from health checks; unhealthy ones are skipped. */
  setHealthy(id: string, healthy: boolean): void;
}

interface DeploymentState extends DeploymentLoad {
  model: LanguageModel;
  healthy: boolean;
  breaker: CircuitBreaker | undefined;
  profile: DeploymentProfile;
}

const isAvailable = (s: DeploymentState): boolean => s.healthy && (s.breaker?.canAttempt() ?? true);

export function createRouter(options: RouterOptions): Router {
  validate(options);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const alpha = options.latencyAlpha ?? 0.3;
  const layer = `router:${options.name}`;
  const states: DeploymentState[] = options.deployments.map((d, index) => ({
    id: d.id,
    index,
    weight: d.weight ?? 1,
    inFlight: 0,
    latencyEmaMs: undefined,
    model: d.model,
    healthy: true,
    breaker: options.breaker === false ? undefined : new CircuitBreaker(`${options.name}/${d.id}`, { now: () => clock.now(), ...(options.breaker ?? {}) }),
    profile: profileOf(d),
  }));
  const requestAware = options.policy !== undefined || options.sensitivity !== undefined;
  const byId = new Map(states.map((s) => [s.id, s]));
  const defaultBudget = options.retryBudget ?? states.length - 1;
  const streamOptions: StreamFailoverOptions = {};
  if (options.firstChunkTimeoutMs !== undefined) streamOptions.firstChunkTimeoutMs = options.firstChunkTimeoutMs;
  if (options.idleTimeoutMs !== undefined) streamOptions.idleTimeoutMs = options.idleTimeoutMs;
  if (options.countTokens !== undefined) streamOptions.countTokens = options.countTokens;

  const endAttempt = (state: DeploymentState, outcome: AttemptOutcome) => {
    state.inFlight--;
    const error = outcome.error;
    if (outcome.status === 'success') {
      state.breaker?.onSuccess();
      state.latencyEmaMs = updateEma(state.latencyEmaMs, outcome.timeToFirstContentMs ?? outcome.durationMs, alpha);
    } else if (outcome.status === 'cancelled' || !error) {
      state.breaker?.onNeutral();
    } else {
      state.breaker?.record(error);
      // A timeout says "at least this slow": let lowest-latency routing learn from it too.
      if (error.kind === 'timeout') state.latencyEmaMs = updateEma(state.latencyEmaMs, outcome.durationMs, alpha);
    }
  };

  /**
   * The request's route, decided once before its first attempt: groups of deployments, best first.
   * Only routers with request-aware routing call this; the others treat all deployments as one group.
   */
  const routeFor = async (request: ModelRequest, callOptions: CallOptions): Promise<DeploymentState[][]> => {
    const hints = routingHintsOf(callOptions) ?? {};
    let allowed: DeploymentState[] = states;
    const reasons: string[] = [];
    let detail: Record<string, unknown> | undefined;
    if (options.sensitivity) {
      const pii = requestPii(request, callOptions, options.sensitivity);
      if (pii.length > 0) {
        allowed = states.filter((s) => s.profile.onPremises === true);
        if (allowed.length === 0) throw onPremisesRefusal(options.name, pii, 'none-configured');
        if (!allowed.some(isAvailable)) throw onPremisesRefusal(options.name, pii, 'none-available');
        reasons.push('pii:on-premises');
        detail = { pii };
      }
    }
    let decision: RouteDecision;
    if (options.policy) {
      const candidates: RouteCandidate[] = allowed.map((s) => ({ id: s.id, index: s.index, model: s.model, available: isAvailable(s), ...s.profile }));
      decision = await options.policy.decide({ alias: options.name, request, options: callOptions, hints, candidates });
      if (reasons.length > 0) decision = { ...decision, reason: `${reasons.join('; ')}; ${decision.reason}`, detail: { ...detail, ...decision.detail } };
    } else {
      decision = { alias: options.name, policy: options.strategy, reason: reasons.length > 0 ? reasons.join('; ') : `strategy:${options.strategy}`, groups: [allowed.map((s) => s.id)] };
      if (detail) decision.detail = detail;
    }
    // Only deployments this request may use, whatever the policy answered (defence in depth for PII).
    const allowedById = new Map(allowed.map((s) => [s.id, s]));
    const groups = decision.groups.map((g) => g.map((id) => allowedById.get(id)).filter((s): s is DeploymentState => s !== undefined)).filter((g) => g.length > 0);
    if (groups.length === 0) {
      // E.g. a complex request whose large tier has no on-premises deployment: still never the cloud.
      if (detail?.pii) throw onPremisesRefusal(options.name, pii(detail), 'none-for-route', decision.reason);
      throw new ConduitError('provider_unavailable', `No deployment of "${options.name}" serves this request's route (${decision.reason})`, { code: 'no_available_deployment', model: options.name });
    }
    if (hints.onRoute) {
      try {
        hints.onRoute({ ...decision, groups: groups.map((g) => g.map((s) => s.id)) });
      } catch {
        // observers are advisory
      }
    }
    return groups;
  };

  const plan = (request: ModelRequest): AttemptPlan => {
    const tried = new Set<string>();
    let route: DeploymentState[][] | undefined;
    /** The eligible deployments of the best group that still has one. */
    const eligibleNow = (): DeploymentState[] => {
      for (const group of route ?? [states]) {
        const eligible = group.filter((s) => !tried.has(s.id) && isAvailable(s));
        if (eligible.length > 0) return eligible;
      }
      return [];
    };
    const pickNext = ({ attempt, options: callOptions }: PickContext): AttemptTarget | undefined => {
      let budgetTaken = attempt === 0;
      for (;;) {
        const chosen = chooseDeployment(options.strategy, eligibleNow(), random);
        if (!chosen) {
          if (attempt === 0) throw noDeploymentError(options.name, route ? route.flat() : states, clock.now());
          return undefined;
        }
        if (!budgetTaken) {
          if (!callOptions.retryBudget?.tryAcquire()) return undefined;
          budgetTaken = true;
        }
        tried.add(chosen.id);
        // Another request may have just taken the half-open trial: then look further.
        if (chosen.breaker && !chosen.breaker.tryAcquire()) continue;
        chosen.inFlight++;
        return { id: chosen.id, model: chosen.model, end: (outcome) => endAttempt(chosen, outcome) };
      }
    };
    const p: AttemptPlan = {
      layer,
      clock,
      pick(context: PickContext): AttemptTarget | undefined | Promise<AttemptTarget | undefined> {
        const { attempt, lastError } = context;
        if (attempt > 0 && (lastError === undefined || !isRetryableError(lastError))) return undefined;
        if (attempt === 0 && requestAware) {
          return routeFor(request, context.options).then((groups) => {
            route = groups;
            return pickNext(context);
          });
        }
        return pickNext(context);
      },
    };
    if (options.attemptTimeoutMs !== undefined) p.attemptTimeoutMs = options.attemptTimeoutMs;
    return p;
  };

  return {
    provider: 'router',
    modelId: options.name,
    name: options.name,
    strategy: options.strategy,
    policy: options.policy?.name,
    capabilities: intersectCapabilities(options.deployments.map((d) => d.model.capabilities)),
    deployments: options.deployments.map((d) => ({ ...d })),
    generate(request: ModelRequest, callOptions: CallOptions = {}): Promise<GenerateResult> {
      return generateWithFailover(request, ensureRetryBudget(callOptions, defaultBudget), plan(request));
    },
    stream(request: ModelRequest, callOptions: CallOptions = {}): AsyncIterable<StreamPart> {
      return streamWithFailover(request, ensureRetryBudget(callOptions, defaultBudget), plan(request), streamOptions);
    },
    status(): DeploymentStatus[] {
      return states.map((s) => ({
        id: s.id,
        provider: s.model.provider,
        modelId: s.model.modelId,
        weight: s.weight,
        healthy: s.healthy,
        inFlight: s.inFlight,
        latencyEmaMs: s.latencyEmaMs,
        circuit: s.breaker?.snapshot(),
      }));
    },
    setHealthy(id: string, healthy: boolean): void {
      const state = byId.get(id);
      if (!state) throw new RangeError(`router ${options.name} has no deployment "${id}"`);
      state.healthy = healthy;
    },
  };
}

function noDeploymentError(name: string, states: readonly DeploymentState[], now: number): ConduitError {
  // Tell the caller when the earliest open circuit will admit a trial, as a Retry-After.
  const retryAts = states.map((s) => (s.healthy ? s.breaker?.snapshot().retryAt : undefined)).filter((t): t is number => t !== undefined);
  const opts: ConstructorParameters<typeof ConduitError>[2] = { code: 'no_available_deployment', retryable: true };
  if (retryAts.length > 0) opts.retryAfterMs = Math.max(0, Math.min(...retryAts) - now);
  return new ConduitError('provider_unavailable', `No available deployment for "${name}": every deployment is unhealthy or has an open circuit`, opts);
}

function pii(detail: Record<string, unknown>): readonly string[] {
  return Array.isArray(detail.pii) ? (detail.pii as string[]) : [];
}

function profileOf(d: RouterDeployment): DeploymentProfile {
  const profile: DeploymentProfile = {};
  if (d.quality !== undefined) profile.quality = d.quality;
  if (d.tier !== undefined) profile.tier = d.tier;
  if (d.onPremises !== undefined) profile.onPremises = d.onPremises;
  return profile;
}

function validate(options: RouterOptions): void {
  if (!options.name) throw new TypeError('createRouter: name is required');
  if (!ROUTING_STRATEGIES.includes(options.strategy)) throw new TypeError(`createRouter: unknown strategy "${String(options.strategy)}"`);
  if (options.deployments.length === 0) throw new TypeError(`createRouter(${options.name}): at least one deployment is required`);
  const ids = new Set<string>();
  for (const d of options.deployments) {
    if (ids.has(d.id)) throw new TypeError(`createRouter(${options.name}): duplicate deployment id "${d.id}"`);
    ids.add(d.id);
    if (d.weight !== undefined && !(Number.isFinite(d.weight) && d.weight >= 0)) {
      throw new TypeError(`createRouter(${options.name}): deployment "${d.id}" weight must be a finite number ≥ 0`);
    }
  }
  options.policy?.validate?.(options.name, options.deployments);
}

/** What every deployment can do: a request routed anywhere in the alias must be servable. */
export function intersectCapabilities(all: readonly ModelCapabilities[]): ModelCapabilities {
  return {
    streaming: all.every((c) => c.streaming),
    tools: all.every((c) => c.tools),
    jsonSchema: all.every((c) => c.jsonSchema),
    vision: all.every((c) => c.vision),
  };
}
