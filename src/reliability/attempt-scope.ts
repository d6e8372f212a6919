/**
 * The lifetime of one attempt: an AbortSignal that fires when the caller aborts, when the request's
 * deadline passes, or when the attempt's own timeout expires — whichever comes first — plus a way
 * to race a promise against it. Models that ignore their signal are still cut off, because every
 * await on a model goes through `race`.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions } from '../models/language-model.js';
import type { Clock } from './clock.js';
import { isAborted } from './abort-source.js';

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
  /** Rejects with the abort reason (a ConduitError) as soon as the attempt is aborted. */
  race<T>(promise: Promise<T>): Promise<T>;
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
  race<T>(promise: Promise<T>): Promise<T> {
    return promise;
  }
  dispose(): void {}
}

const NEVER_ABORTED: AbortSignal = new AbortController().signal;

export function openAttemptScope(options: CallOptions, scopeOptions: AttemptScopeOptions): AttemptScope {
  if (scopeOptions.ownAbort === false && !isAborted(options)) {
    const left = remainingMs(options, scopeOptions.clock.now());
    const attemptMs = scopeOptions.attemptTimeoutMs;
    const needsTimer = Number.isFinite(left) || (attemptMs !== undefined && attemptMs > 0);
    if (!needsTimer) return new PassThroughScope(options);
  }
  const controller = new AbortController();
  const parent = options.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const abort = (reason: ConduitError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onParentAbort = () => abort(abortReasonToError(parent?.reason));

  if (parent?.aborted) {
    onParentAbort();
  } else {
    parent?.addEventListener('abort', onParentAbort, { once: true });
    const left = remainingMs(options, scopeOptions.clock.now());
    const attemptMs = scopeOptions.attemptTimeoutMs;
    if (left <= 0) {
      abort(deadlineExceededError());
    } else if (attemptMs !== undefined && attemptMs > 0 && attemptMs < left) {
      timer = setTimeout(() => abort(attemptTimeoutError(attemptMs)), attemptMs);
    } else if (Number.isFinite(left)) {
      timer = setTimeout(() => abort(deadlineExceededError()), left);
    }
  }

  const signal = controller.signal;
  // Nothing outside can abort this attempt (no caller signal, no deadline, no timeout): racing
  // would only cost a promise and a listener per awaited step, so skip it on this hot path.
  const armed = parent !== undefined || timer !== undefined;
  return {
    signal,
    abort,
    race<T>(promise: Promise<T>): Promise<T> {
      if (!armed && !signal.aborted) return promise;
      if (signal.aborted) {
        promise.catch(() => undefined); // the loser's rejection is expected; do not leak it as unhandled
        return Promise.reject(signal.reason as ConduitError);
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason as ConduitError);
        signal.addEventListener('abort', onAbort, { once: true });
        promise.then(
          (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (err: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(err);
          },
        );
      });
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
