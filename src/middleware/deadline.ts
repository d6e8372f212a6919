/**
 * The request's one absolute deadline. The gateway turns `x-conduit-deadline-ms` (a relative budget
 * in ms) into `CallOptions.deadlineAt` once, at the edge; every layer below reads the same absolute
 * time, so nested retries and failovers can never stretch it.
 *
 * `withDeadline` enforces the deadline (and the per-attempt timeout) around one model — typically
 * right around a provider — even when that model ignores its AbortSignal.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../models/language-model.js';
import { abortReasonToError, deadlineExceededError, openAttemptScope, remainingMs } from '../reliability/attempt-scope.js';
import { systemClock, type Clock } from '../reliability/clock.js';

export const DEADLINE_HEADER = 'x-conduit-deadline-ms';
/** Longest budget a caller may ask for: one hour. Anything longer is almost certainly a unit mistake. */
export const MAX_DEADLINE_MS = 3_600_000;

/**
 * Parses `x-conduit-deadline-ms` into an absolute deadline (epoch ms). Undefined or empty → no
 * deadline. Anything but a whole number of ms in [1, MAX_DEADLINE_MS] is a 400.
 */
export function deadlineFromHeader(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (!/^\d+$/.test(trimmed)) {
    throw new ConduitError('invalid_request', `${DEADLINE_HEADER} must be a whole number of milliseconds, got "${truncate(trimmed)}"`, { param: DEADLINE_HEADER });
  }
  const ms = Number(trimmed);
  if (ms < 1 || ms > MAX_DEADLINE_MS) {
    throw new ConduitError('invalid_request', `${DEADLINE_HEADER} must be between 1 and ${MAX_DEADLINE_MS} ms, got ${truncate(trimmed)}`, { param: DEADLINE_HEADER });
  }
  return now + ms;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The earlier of two optional deadlines. */
export function earlierDeadline(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

export interface DeadlineOptions {
  /** Deadline to apply when the call carries none (ms from the call's start). */
  defaultTimeoutMs?: number;
  /** Per-call timeout; default `CallOptions.attemptTimeoutMs`. Streams: until the first part arrives. */
  attemptTimeoutMs?: number;
  clock?: Clock;
}

export function withDeadline(model: LanguageModel, opts: DeadlineOptions = {}): LanguageModel {
  const clock = opts.clock ?? systemClock;
  const effective = (options: CallOptions): CallOptions => {
    if (options.deadlineAt !== undefined || opts.defaultTimeoutMs === undefined) return options;
    return { ...options, deadlineAt: clock.now() + opts.defaultTimeoutMs };
  };
  return {
    provider: model.provider,
    modelId: model.modelId,
    capabilities: model.capabilities,
    async generate(request: ModelRequest, options: CallOptions = {}): Promise<GenerateResult> {
      const o = effective(options);
      if (o.signal?.aborted) throw abortReasonToError(o.signal.reason);
      if (remainingMs(o, clock.now()) <= 0) throw deadlineExceededError();
      const scope = openAttemptScope(o, { clock, attemptTimeoutMs: opts.attemptTimeoutMs ?? o.attemptTimeoutMs });
      try {
        return await scope.race(model.generate(request, { ...o, signal: scope.signal }));
      } finally {
        scope.dispose();
      }
    },
    stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<StreamPart> {
      return deadlineStream(model, request, effective(options), clock, opts.attemptTimeoutMs ?? options.attemptTimeoutMs);
    },
  };
}

async function* deadlineStream(model: LanguageModel, request: ModelRequest, options: CallOptions, clock: Clock, attemptTimeoutMs: number | undefined): AsyncGenerator<StreamPart> {
  if (options.signal?.aborted) throw abortReasonToError(options.signal.reason);
  if (remainingMs(options, clock.now()) <= 0) throw deadlineExceededError();
  // The whole stream lives within the deadline; the attempt timeout bounds only the wait for the first part.
  const scope = openAttemptScope(options, { clock });
  const iterator = model.stream(request, { ...options, signal: scope.signal })[Symbol.asyncIterator]();
  let first = true;
  let done = false;
  try {
    for (;;) {
      const next = Promise.resolve().then(() => iterator.next());
      const step = await scope.race(first && attemptTimeoutMs !== undefined ? withTimer(next, attemptTimeoutMs) : next);
      first = false;
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) {
      scope.abort(new ConduitError('cancelled', 'stream abandoned'));
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => undefined);
    }
    scope.dispose();
  }
}

function withTimer<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ConduitError('timeout', `No stream data within ${ms} ms`, { code: 'attempt_timeout' })), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
