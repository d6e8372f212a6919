/**
 * A circuit breaker per deployment. Closed: calls pass; after `failureThreshold` consecutive
 * provider-side failures it opens. Open: calls fail fast with ConduitError('provider_unavailable')
 * for `cooldownMs`, sparing a sick upstream and the caller's time. Then half-open: exactly one
 * trial call is let through; its success closes the circuit, its failure reopens it.
 *
 * Only provider-side failures count (src/reliability/error-policy.ts `breakerVerdict`): a 400 or
 * 401 proves the provider is up, and a caller's cancel says nothing about it.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../models/language-model.js';
import { abortReasonToError } from '../reliability/attempt-scope.js';
import { breakerVerdict, normaliseError } from '../reliability/error-policy.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive provider-side failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** How long the circuit stays open before a trial call (default 60 000 ms). */
  cooldownMs?: number;
  now?: () => number;
  onStateChange?: (change: { name: string; from: CircuitState; to: CircuitState }) => void;
}

export interface CircuitSnapshot {
  name: string;
  state: CircuitState;
  consecutiveFailures: number;
  /** When the circuit last opened (epoch ms), if it is open or half-open. */
  openedAt: number | undefined;
  /** When an open circuit will let a trial through. */
  retryAt: number | undefined;
  /** Times the circuit has opened since creation (for metrics). */
  timesOpened: number;
}

export class CircuitBreaker {
  readonly name: string;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly onStateChange: CircuitBreakerOptions['onStateChange'];
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;
  private opened = 0;

  constructor(name: string, options: CircuitBreakerOptions = {}) {
    this.name = name;
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.onStateChange = options.onStateChange;
    if (!Number.isInteger(this.threshold) || this.threshold < 1) throw new RangeError('failureThreshold must be a positive integer');
  }

  /** The state as /health should report it: an open circuit whose cooldown is over reads as half-open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.cooldownOver()) return 'half-open';
    return this.current;
  }

  /** Whether a call would be let through now (does not claim the half-open trial). */
  canAttempt(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open') return !this.trialInFlight;
    return false;
  }

  /**
   * Claims permission for one call: true when closed, or when this call is the half-open trial.
   * Every true must be followed by exactly one `onSuccess`, `onFailure` or `onNeutral`.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    if (this.current === 'open') this.transition('half-open');
    this.trialInFlight = true;
    return true;
  }

  /** Like tryAcquire, but throws the fast-fail error. */
  acquire(): void {
    if (!this.tryAcquire()) throw this.openError();
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    if (this.current !== 'closed') {
      this.openedAt = undefined;
      this.transition('closed');
    }
  }

  onFailure(): void {
    this.failures++;
    if (this.current === 'half-open') {
      this.trialInFlight = false;
      this.open();
    } else if (this.current === 'closed' && this.failures >= this.threshold) {
      this.open();
    }
  }

  /** An outcome that says nothing about the provider (the caller cancelled): frees the trial slot. */
  onNeutral(): void {
    this.trialInFlight = false;
  }

  /** Records an error by its verdict (failure / neutral / sign of life). */
  record(error: unknown): void {
    const verdict = breakerVerdict(normaliseError(error));
    if (verdict === 'failure') this.onFailure();
    else if (verdict === 'neutral') this.onNeutral();
    else this.onSuccess();
  }

  snapshot(): CircuitSnapshot {
    const state = this.state;
    return {
      name: this.name,
      state,
      consecutiveFailures: this.failures,
      openedAt: state === 'closed' ? undefined : this.openedAt,
      retryAt: state === 'open' && this.openedAt !== undefined ? this.openedAt + this.cooldownMs : undefined,
      timesOpened: this.opened,
    };
  }

  /** The fast-fail error: retryable, so a router or fallback chain moves to another target. */
  openError(): ConduitError {
    const waitMs = this.openedAt === undefined ? this.cooldownMs : Math.max(0, this.openedAt + this.cooldownMs - this.now());
    return new ConduitError('provider_unavailable', `Circuit open for ${this.name}: too many consecutive failures; next trial in ${Math.ceil(waitMs / 1000)} s`, {
      code: 'circuit_open',
      retryable: true,
      retryAfterMs: waitMs,
    });
  }

  private cooldownOver(): boolean {
    return this.openedAt !== undefined && this.now() - this.openedAt >= this.cooldownMs;
  }

  private open(): void {
    this.openedAt = this.now();
    this.opened++;
    this.transition('open');
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    try {
      this.onStateChange?.({ name: this.name, from, to });
    } catch {
      // observers must not break the breaker
    }
  }
}

export interface CircuitBreakingLanguageModel extends LanguageModel {
  readonly breaker: CircuitBreaker;
}

/**
 * Guards one model (one deployment) with a breaker. The router keeps its own breakers per
 * deployment (it must also see stalls it abandons); use this for a model used on its own.
 */
export function withCircuitBreaker(model: LanguageModel, breaker: CircuitBreaker | CircuitBreakerOptions = {}): CircuitBreakingLanguageModel {
  const b = breaker instanceof CircuitBreaker ? breaker : new CircuitBreaker(`${model.provider}/${model.modelId}`, breaker);
  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: model.capabilities,
    breaker: b,
    async generate(request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
      b.acquire();
      try {
        const result = await model.generate(request, options);
        b.onSuccess();
        return result;
      } catch (err) {
        b.record(err);
        throw err;
      }
    },
    stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<StreamPart> {
      return breakerStream(model, b, request, options);
    },
  };
}

async function* breakerStream(model: LanguageModel, b: CircuitBreaker, request: ModelRequest, options: CallOptions): AsyncGenerator<StreamPart> {
  b.acquire();
  let settled = false;
  try {
    for await (const part of model.stream(request, options)) yield part;
    settled = true;
    b.onSuccess();
  } catch (err) {
    settled = true;
    b.record(options.signal?.aborted ? abortReasonToError(options.signal.reason) : err);
    throw err;
  } finally {
    // The consumer stopped early: nothing was learned about the provider.
    if (!settled) b.onNeutral();
  }
}
