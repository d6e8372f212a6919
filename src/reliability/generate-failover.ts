/**
 * Runs a non-streaming request through an AttemptPlan: one attempt at a time, each bounded by the
 * deadline and the plan's attempt timeout, until one succeeds or the plan gives up.
 */
import { ConduitError } from '../core/errors.js';
import type { CallOptions, GenerateResult, ModelRequest } from '../models/language-model.js';
import { abortReasonToError, deadlineExceededError, openAttemptScope, remainingMs } from './attempt-scope.js';
import { reportAttempt, type AttemptPlan, type AttemptTarget } from './attempt-plan.js';
import { normaliseError } from './error-policy.js';
import { abortReasonOf, isAborted } from './abort-source.js';

export async function generateWithFailover(request: ModelRequest, options: CallOptions, plan: AttemptPlan): Promise<GenerateResult> {
  const clock = plan.clock;
  let lastError: ConduitError | undefined;
  for (let attempt = 0; ; attempt++) {
    if (isAborted(options)) throw abortReasonToError(abortReasonOf(options));
    if (remainingMs(options, clock.now()) <= 0) throw deadlineExceededError(lastError);
    // Plans usually answer the first pick synchronously: no promise, no microtask on the hot path.
    const picked = pickTargetNow(plan, attempt, lastError, options);
    const target = isPromiseLike(picked) ? await picked : picked;
    if (!target) throw lastError ?? new ConduitError('provider_unavailable', `${plan.layer}: nothing to try`);

    const started = clock.now();
    const scope = openAttemptScope(options, { clock, attemptTimeoutMs: plan.attemptTimeoutMs ?? options.attemptTimeoutMs, ownAbort: false });
    try {
      const attemptOptions = scope.passThrough ? options : { ...options, signal: scope.signal };
      const result = await scope.race(target.model.generate(request, attemptOptions));
      reportAttempt(plan, options, target, attempt, { status: 'success', durationMs: clock.now() - started });
      return result;
    } catch (thrown) {
      const error = normaliseError(thrown);
      const status = error.kind === 'cancelled' ? 'cancelled' : 'failure';
      reportAttempt(plan, options, target, attempt, { status, error, durationMs: clock.now() - started });
      // The caller gave up, or no time is left: no other attempt can help.
      if (isAborted(options) || error.code === 'deadline_exceeded') throw error;
      lastError = error;
    } finally {
      scope.dispose();
    }
  }
}

/**
 * pickTarget without the await when the plan answers synchronously; a promise (a backoff, an async
 * plan) goes through pickTarget's error mapping. A synchronous throw is mapped the same way.
 */
export function pickTargetNow(plan: AttemptPlan, attempt: number, lastError: ConduitError | undefined, options: CallOptions): AttemptTarget | undefined | PromiseLike<AttemptTarget | undefined> {
  let picked: AttemptTarget | undefined | PromiseLike<AttemptTarget | undefined>;
  try {
    picked = plan.pick({ attempt, lastError, options });
  } catch (thrown) {
    return Promise.reject(pickError(thrown, options));
  }
  return isPromiseLike(picked) ? pickTarget(plan, attempt, lastError, options, picked) : picked;
}

export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

function pickError(thrown: unknown, options: CallOptions): ConduitError {
  if (thrown instanceof ConduitError) return thrown;
  if (isAborted(options)) return abortReasonToError(abortReasonOf(options));
  return normaliseError(thrown);
}

/** Asks the plan for a target; turns an aborted backoff sleep into the right ConduitError. */
export async function pickTarget(
  plan: AttemptPlan,
  attempt: number,
  lastError: ConduitError | undefined,
  options: CallOptions,
  pending?: PromiseLike<AttemptTarget | undefined>,
): Promise<AttemptTarget | undefined> {
  try {
    return await (pending ?? plan.pick({ attempt, lastError, options }));
  } catch (thrown) {
    throw pickError(thrown, options);
  }
}
