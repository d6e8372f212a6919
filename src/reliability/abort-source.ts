/**
 * A cheaper way to be told of cancellation than `CallOptions.signal`, for options whose signal is
 * created lazily (the gateway's: constructing an AbortSignal and listening on it costs a few µs
 * per request, the largest avoidable item left on its bare path).
 *
 * Such options expose an AbortSource under ABORT_SOURCE — NOT as an own property, so a spread
 * copy (`{ ...options, signal: mine }`, as middleware makes when it substitutes its own signal)
 * never carries it and its consumers read the copy's `signal` as usual. Layers that only pass the
 * options on read the source when present (isAborted / abortReasonOf / abortSourceOf) and the
 * signal otherwise; a lazy signal, if anything does read it, aborts together with its source.
 */
import type { CallOptions, RetryBudget } from '../models/language-model.js';

export const ABORT_SOURCE: unique symbol = Symbol('conduit.abortSource');
/** A copy of the options with a retry budget that keeps the lazy signal lazy (see ensureRetryBudget). */
export const WITH_RETRY_BUDGET: unique symbol = Symbol('conduit.withRetryBudget');

/** Called once when the source aborts (an object, so callers need no closure per call). */
export interface AbortListener {
  handleEvent(): void;
}

export interface AbortSource {
  readonly aborted: boolean;
  /** Why it aborted (a ConduitError from the gateway); undefined until then. */
  readonly reason: unknown;
  addAbortListener(listener: AbortListener): void;
  removeAbortListener(listener: AbortListener): void;
}

interface WithAbortSource {
  readonly [ABORT_SOURCE]?: AbortSource;
  [WITH_RETRY_BUDGET]?(budget: RetryBudget): CallOptions & { retryBudget: RetryBudget };
}

export function abortSourceOf(options: CallOptions): AbortSource | undefined {
  return (options as WithAbortSource)[ABORT_SOURCE];
}

/** `options.signal?.aborted`, without creating a lazy signal. */
export function isAborted(options: CallOptions): boolean {
  const source = (options as WithAbortSource)[ABORT_SOURCE];
  return source !== undefined ? source.aborted : options.signal?.aborted === true;
}

/** `options.signal?.reason`, without creating a lazy signal. */
export function abortReasonOf(options: CallOptions): unknown {
  const source = (options as WithAbortSource)[ABORT_SOURCE];
  return source !== undefined ? source.reason : options.signal?.reason;
}

/** `{ ...options, retryBudget }`, through the options' own copy when they have one (a spread would read a lazy signal). */
export function withRetryBudget(options: CallOptions, budget: RetryBudget): CallOptions & { retryBudget: RetryBudget } {
  const copy = (options as WithAbortSource)[WITH_RETRY_BUDGET];
  return copy !== undefined ? copy.call(options, budget) : { ...options, retryBudget: budget };
}
