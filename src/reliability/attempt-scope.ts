/**
 * The lifetime of one attempt: an AbortSignal that fires when the caller aborts, when the request's
 * deadline passes, or when the attempt's own timeout expires — whichever comes first — plus a way
 * to race a promise against it. Models that ignore their signal are still cut off, because every
 * await on a model goes through `race`.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions } from '../models/language-model.js';
import type { Clock } from './clock.js';
import { ABORT_SOURCE, abortReasonOf, abortSourceOf, isAborted, type AbortListener, type AbortSource } from './abort-source.js';

export function deadlineExceededError(cause?: unknown): ConduitError {
  // Not retryable: no time is left for another attempt anywhere.
  return new ConduitError('timeout', 'Request deadline exceeded', { retryable: false, code: 'deadline_exceeded', cause });
}

export function attemptTimeoutError(timeoutMs: number): ConduitError {
  return new ConduitError('timeout', `Attempt timed out after ${timeoutMs} ms`, { code: 'attempt_timeout' });
}

/** Turns an AbortSignal's reason into the error callers should see. */
export function abortReasonToError(reason: unknown): ConduitError {
  if (reason instanceof ConduitError) return reason;
  return new ConduitError('cancelled', 'The request was cancelled', { cause: reason });
}

/** Milliseconds left before `deadlineAt` (Infinity when there is none). */
export function remainingMs(options: CallOptions, now: number): number {
  return options.deadlineAt === undefined ? Infinity : options.deadlineAt - now;
}

export interface AttemptScope {
  readonly signal: AbortSignal;
  /** True when the scope added nothing to the caller's options (no timer, no signal of its own). */
  readonly passThrough?: boolean;
  /** Ends the attempt now with `reason` (e.g. it was abandoned after a stall). */
  abort(reason: ConduitError): void;
  /**
   * Rejects with the abort reason (a ConduitError) as soon as the attempt is aborted, and with
   * `onLimit()` when `limitMs` passes first (stall detection).
   */
  race<T>(promise: Promise<T>, limitMs?: number, onLimit?: () => ConduitError): Promise<T>;
  /** The caller's options for the model this attempt calls: its abort ends with the attempt. */
  callOptions(): CallOptions;
  /**
   * A limit on the whole wait for the first content, from now: when it passes, the pending (or
   * next) race rejects with `onLimit()`. Cleared by `clearFirstContentLimit()` once content came.
   */
  limitFirstContent(limitMs: number, onLimit: () => ConduitError): void;
  clearFirstContentLimit(): void;
  /** Clears timers and listeners; call once the attempt is over. */
  dispose(): void;
}

export interface AttemptScopeOptions {
  clock: Clock;
  /** Timeout for this attempt alone; the deadline still applies when it is shorter. */
  attemptTimeoutMs?: number;
  /**
   * False when the caller never calls `abort()` (generate attempts). Then an attempt with no timer
   * to arm needs no signal of its own: it reuses the caller's, which saves an AbortController, two
   * listeners and a racing promise per attempt on the gateway's hot path.
   */
  ownAbort?: boolean;
}

/**
 * The caller's signal as the attempt's: nothing but the caller can end this attempt. A class, not a
 * literal with three closures: the gateway opens one per request.
 */
class PassThroughScope implements AttemptScope {
  readonly passThrough = true;
  constructor(private readonly options: CallOptions) {}
  /** The caller's signal, read only if asked for (it may be created lazily; see abort-source.ts). */
  get signal(): AbortSignal {
    return this.options.signal ?? NEVER_ABORTED;
  }
  abort(): void {
    throw new Error('passThroughScope.abort: open the scope with ownAbort to abort one attempt');
  }
  race<T>(promise: Promise<T>, limitMs?: number, onLimit?: () => ConduitError): Promise<T> {
    if (limitMs === undefined) return promise;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(limitError(limitMs, onLimit)), Math.max(0, limitMs));
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
  callOptions(): CallOptions {
    return this.options;
  }
  limitFirstContent(): void {
    throw new Error('passThroughScope.limitFirstContent: open the scope with ownAbort for a streamed attempt');
  }
  clearFirstContentLimit(): void {}
  dispose(): void {}
}

const NEVER_ABORTED: AbortSignal = new AbortController().signal;

function limitError(limitMs: number, onLimit: (() => ConduitError) | undefined): ConduitError {
  return onLimit !== undefined ? onLimit() : new ConduitError('timeout', `No progress within ${Math.round(limitMs)} ms`);
}

export function openAttemptScope(options: CallOptions, scopeOptions: AttemptScopeOptions): AttemptScope {
  if (scopeOptions.ownAbort === false && !isAborted(options)) {
    const left = remainingMs(options, scopeOptions.clock.now());
    const attemptMs = scopeOptions.attemptTimeoutMs;
    const needsTimer = Number.isFinite(left) || (attemptMs !== undefined && attemptMs > 0);
    if (!needsTimer) return new PassThroughScope(options);
  }
  return new OwnAttemptScope(options, scopeOptions);
}

interface Racer {
  reject(err: ConduitError): void;
}

/**
 * An attempt that can end on its own (timer, abandon) as well as with its caller. It is an
 * AbortSource (abort-source.ts): models reached through `callOptions()` listen to it directly, and
 * an AbortSignal is created only if something reads `signal` — the gateway streams every request
 * through one of these, and an AbortController plus EventTarget listeners per attempt and per
 * awaited part were a measurable share of its time to first token.
 */
class OwnAttemptScope implements AttemptScope, AbortSource, AbortListener {
  aborted = false;
  reason: ConduitError | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private listeners: AbortListener[] | undefined = undefined;
  private racers: Set<Racer> | undefined = undefined;
  /**
   * The per-step limit (a stream's idle timeout): one timer per attempt, restarted with refresh()
   * at each step while the limit stays the same, rather than a timer created and cleared per part.
   * Firing between steps (the consumer was slow, not the model) does nothing.
   */
  private stepTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  private stepMs = 0;
  private stepError: (() => ConduitError) | undefined = undefined;
  private firstContentTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The first-content limit passed while no race was pending: the next race fails with it. */
  private limitPassed: ConduitError | undefined = undefined;
  /** Something outside can abort this attempt (a caller, a deadline or a timeout). */
  private readonly armed: boolean;
  private readonly parentSource: AbortSource | undefined;
  private readonly parentSignal: AbortSignal | undefined;

  constructor(private readonly options: CallOptions, scopeOptions: AttemptScopeOptions) {
    this.parentSource = abortSourceOf(options);
    this.parentSignal = this.parentSource === undefined ? options.signal : undefined;
    if (isAborted(options)) {
      this.armed = true;
      this.abort(abortReasonToError(abortReasonOf(options)));
      return;
    }
    if (this.parentSource !== undefined) this.parentSource.addAbortListener(this);
    else this.parentSignal?.addEventListener('abort', this, { once: true });
    const left = remainingMs(options, scopeOptions.clock.now());
    const attemptMs = scopeOptions.attemptTimeoutMs;
    if (left <= 0) {
      this.abort(deadlineExceededError());
    } else if (attemptMs !== undefined && attemptMs > 0 && attemptMs < left) {
      this.timer = setTimeout(() => this.abort(attemptTimeoutError(attemptMs)), attemptMs);
    } else if (Number.isFinite(left)) {
      this.timer = setTimeout(() => this.abort(deadlineExceededError()), left);
    }
    this.armed = this.parentSource !== undefined || this.parentSignal !== undefined || this.timer !== undefined;
  }

  /** The parent (caller) aborted. */
  handleEvent(): void {
    this.abort(abortReasonToError(abortReasonOf(this.options)));
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: ConduitError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const l of listeners) l.handleEvent();
    this.rejectRacers(reason);
  }

  private rejectRacers(err: ConduitError): boolean {
    const racers = this.racers;
    if (racers === undefined || racers.size === 0) return false;
    this.racers = undefined;
    for (const r of racers) r.reject(err);
    return true;
  }

  private readonly onStepLimit = (): void => {
    this.rejectRacers(limitError(this.stepMs, this.stepError));
  };

  limitFirstContent(limitMs: number, onLimit: () => ConduitError): void {
    this.clearFirstContentLimit();
    this.firstContentTimer = setTimeout(() => {
      this.firstContentTimer = undefined;
      const err = onLimit();
      if (!this.rejectRacers(err)) this.limitPassed = err;
    }, Math.max(0, limitMs));
  }

  clearFirstContentLimit(): void {
    if (this.firstContentTimer !== undefined) clearTimeout(this.firstContentTimer);
    this.firstContentTimer = undefined;
    this.limitPassed = undefined;
  }

  addAbortListener(listener: AbortListener): void {
    (this.listeners ??= []).push(listener);
  }

  removeAbortListener(listener: AbortListener): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const i = listeners.indexOf(listener);
    if (i !== -1) listeners.splice(i, 1);
  }

  race<T>(promise: Promise<T>, limitMs?: number, onLimit?: () => ConduitError): Promise<T> {
    if (this.aborted) {
      promise.catch(() => undefined); // the loser's rejection is expected; do not leak it as unhandled
      return Promise.reject(this.reason!);
    }
    if (this.limitPassed !== undefined) {
      promise.catch(() => undefined);
      return Promise.reject(this.limitPassed);
    }
    // Nothing outside can abort this attempt and no limit applies: racing would only cost a
    // promise per awaited step.
    if (!this.armed && limitMs === undefined && this.firstContentTimer === undefined) return promise;
    if (limitMs !== undefined) {
      this.stepError = onLimit;
      if (this.stepTimer !== undefined && this.stepMs === limitMs) this.stepTimer.refresh();
      else {
        if (this.stepTimer !== undefined) clearTimeout(this.stepTimer);
        this.stepMs = limitMs;
        this.stepTimer = setTimeout(this.onStepLimit, Math.max(0, limitMs));
      }
    }
    return new Promise<T>((resolve, reject) => {
      const racer: Racer = { reject };
      (this.racers ??= new Set()).add(racer);
      promise.then(
        (value) => {
          this.racers?.delete(racer);
          resolve(value);
        },
        (err: unknown) => {
          this.racers?.delete(racer);
          reject(err);
        },
      );
    });
  }

  callOptions(): CallOptions {
    return new AttemptCallOptions(this.options, this);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stepTimer !== undefined) clearTimeout(this.stepTimer);
    this.stepTimer = undefined;
    this.clearFirstContentLimit();
    if (this.parentSource !== undefined) this.parentSource.removeAbortListener(this);
    else this.parentSignal?.removeEventListener('abort', this);
  }
}

/**
 * The caller's options for one attempt: the same fields, with the attempt as their abort source
 * and `signal` an accessor that creates the attempt's AbortSignal only when read. Copies the
 * caller's own fields without reading `signal` (the gateway's is lazy too).
 */
class AttemptCallOptions {
  declare readonly signal: AbortSignal;
  readonly #scope: OwnAttemptScope;

  constructor(options: CallOptions, scope: OwnAttemptScope) {
    this.#scope = scope;
    const self = this as unknown as Record<string, unknown>;
    const source = options as unknown as Record<string, unknown>;
    for (const key of Object.keys(options)) if (key !== 'signal') self[key] = source[key];
    Object.defineProperty(this, 'signal', ATTEMPT_SIGNAL_PROPERTY);
  }

  /** Not an own property: a spread copy reads `signal` instead (see abort-source.ts). */
  get [ABORT_SOURCE](): AbortSource {
    return this.#scope;
  }

  static scopeOf(options: AttemptCallOptions): OwnAttemptScope {
    return options.#scope;
  }
}

const ATTEMPT_SIGNAL_PROPERTY: PropertyDescriptor = {
  get(this: AttemptCallOptions): AbortSignal {
    return AttemptCallOptions.scopeOf(this).signal;
  },
  enumerable: true,
  configurable: true,
};
