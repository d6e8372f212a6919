/**
 * The seam between "what to try next" (a retry policy, a router strategy, a fallback chain) and
 * "how to run an attempt" (generate-failover.ts, stream-failover.ts). A plan picks targets; the
 * runners enforce the deadline, time attempts out, report outcomes and decide commit.
 */
import type { ConduitError } from '../core/errors.js';
import type { AttemptEvent, CallOptions, LanguageModel } from '../models/language-model.js';
import type { Clock } from './clock.js';

export interface AttemptOutcome {
  status: 'success' | 'failure' | 'cancelled';
  error?: ConduitError;
  durationMs: number;
  /** Streams: ms from the attempt's start to its first content part (undefined if none came). */
  timeToFirstContentMs?: number;
}

export interface AttemptTarget {
  /** Deployment id or model label: what `servedBy` and attempt events report. */
  id: string;
  model: LanguageModel;
  /** Called exactly once per picked target, however the attempt ended (also if it never started). */
  end?(outcome: AttemptOutcome): void;
}

export interface PickContext {
  /** 0 for the first attempt. */
  attempt: number;
  /** The previous attempt's error; undefined for the first attempt. */
  lastError: ConduitError | undefined;
  options: CallOptions;
}

export interface AttemptPlan {
  /** Names the layer in attempt events, e.g. `retry`, `router:gpt-pool`, `fallback`. */
  layer: string;
  clock: Clock;
  /** Generate: bounds each whole call. Streams: bounds the time to the first content part. */
  attemptTimeoutMs?: number;
  /**
   * The target for this attempt, or undefined to give up (the runner then throws `lastError`).
   * For attempt > 0 the plan decides whether `lastError` may be retried, takes a unit from the
   * request's retry budget, and may wait (backoff). May throw to end the request with its own error.
   */
  pick(context: PickContext): AttemptTarget | undefined | Promise<AttemptTarget | undefined>;
}

/** Reports an attempt to its target and to the caller's observer; a throwing observer never breaks a request. */
export function reportAttempt(plan: AttemptPlan, options: CallOptions, target: AttemptTarget, attempt: number, outcome: AttemptOutcome): void {
  if (target.end === undefined && options.onAttempt === undefined) return;
  try {
    target.end?.(outcome);
  } catch {
    // bookkeeping must not change the request's outcome
  }
  if (!options.onAttempt) return;
  const event: AttemptEvent = {
    layer: plan.layer,
    target: target.id,
    provider: target.model.provider,
    attempt,
    outcome: outcome.status,
    durationMs: outcome.durationMs,
  };
  if (outcome.error) event.error = outcome.error;
  if (outcome.timeToFirstContentMs !== undefined) event.timeToFirstContentMs = outcome.timeToFirstContentMs;
  try {
    options.onAttempt(event);
  } catch {
    // observers are advisory
  }
}
