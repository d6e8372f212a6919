/**
 * A model alias served by several deployments. Per request the router picks a deployment with its
 * strategy, skipping unhealthy ones and those whose circuit is open; on a retryable failure before
 * commit it fails over to the next-best deployment of the alias, drawing on the request's shared
 * retry budget and within its deadline. Streams fail over transparently before their first content
 * part (stream-failover.ts). Results report the serving deployment's provider.
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

export interface RouterDeployment {
  id: string;
  model: LanguageModel;
  /** Relative share for the `weighted` strategy (default 1). */
  weight?: number;
}

export interface RouterOptions {
  /** The alias this router serves (its modelId). */
  name: string;
  deployments: RouterDeployment[];
  strategy: RoutingStrategy;
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
}

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
  }));
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

  const plan = (): AttemptPlan => {
    const tried = new Set<string>();
    const p: AttemptPlan = {
      layer,
      clock,
      pick({ attempt, lastError, options: callOptions }: PickContext): AttemptTarget | undefined {
        if (attempt > 0 && (lastError === undefined || !isRetryableError(lastError))) return undefined;
        let budgetTaken = attempt === 0;
        for (;;) {
          const eligible = states.filter((s) => !tried.has(s.id) && s.healthy && (s.breaker?.canAttempt() ?? true));
          const chosen = chooseDeployment(options.strategy, eligible, random);
          if (!chosen) {
            if (attempt === 0) throw noDeploymentError(options.name, states, clock.now());
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
    capabilities: intersectCapabilities(options.deployments.map((d) => d.model.capabilities)),
    deployments: options.deployments.map((d) => ({ ...d })),
    generate(request: ModelRequest, callOptions: CallOptions = {}): Promise<GenerateResult> {
      return generateWithFailover(request, ensureRetryBudget(callOptions, defaultBudget), plan());
    },
    stream(request: ModelRequest, callOptions: CallOptions = {}): AsyncIterable<StreamPart> {
      return streamWithFailover(request, ensureRetryBudget(callOptions, defaultBudget), plan(), streamOptions);
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
