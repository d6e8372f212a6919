/**
 * The rate-limiter port. The gateway builds one `LimitCheck` per configured limit that applies to a
 * request (its key, user, team, model, global) and asks for all of them at once: either every check
 * has room and all are consumed, or nothing is consumed and the caller gets a precise retry time.
 *
 * Token limits: tokens are not known before the call. Consume an estimate (prompt tokens plus the
 * expected completion, e.g. `max_tokens` or a typical figure), then after the call pass the
 * difference to `adjust(checks, actualTokens - estimate, decision.ticket)`. A positive correction is
 * recorded even if it overshoots the limit (the tokens were already spent); the next requests pay for
 * it. A negative one gives the unused estimate back.
 */

export type LimitScope = 'key' | 'user' | 'team' | 'model' | 'global';
export type LimitMetric = 'requests' | 'tokens';
/** What to do when the shared store (Redis) is unreachable: refuse (503) or allow and report `degraded`. */
export type FailMode = 'open' | 'closed';

export interface LimitCheck {
  scope: LimitScope;
  /** The key id, user id, team id, model name; anything for `global`. */
  id: string;
  metric: LimitMetric;
  /** Units allowed per window (requests or tokens). */
  limit: number;
  /** Sliding window length; default 60 000 ms (per minute). */
  windowMs?: number;
  /** Units this request uses: default 1 for requests; the token estimate for tokens (rounded up). */
  cost?: number;
  /** Per-policy failure mode; when checks disagree, `closed` wins. Default: the limiter's own. */
  failMode?: FailMode;
}

/** Identifies one (scope, id) for `reset`; `metric` narrows it. */
export interface LimitTarget {
  scope: LimitScope;
  id: string;
  metric?: LimitMetric;
}

export interface LimitCheckResult {
  scope: LimitScope;
  id: string;
  metric: LimitMetric;
  limit: number;
  windowMs: number;
  cost: number;
  /** Whether this check alone had room. */
  allowed: boolean;
  /** Units left in the window after this decision (after consuming when the request was allowed). */
  remaining: number;
  /**
   * Milliseconds until the window is empty again, i.e. `remaining` is back to `limit` if nothing
   * else arrives (OpenAI's "time until the rate limit resets to its initial state").
   */
  resetMs: number;
  /** When this check refused: ms until enough of the window has slid out to fit `cost`. 0 otherwise. */
  retryAfterMs: number;
  /** `cost` exceeds `limit` itself: waiting will never help. */
  tooLarge: boolean;
}

/** Handle on a consumed event, for `adjust`. */
export interface LimitTicket {
  id: string;
  at: number;
}

export interface LimitDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise the longest wait among refusing checks (all must pass). */
  retryAfterMs: number;
  /** One result per input check, same order. */
  checks: LimitCheckResult[];
  /** A refusing check's cost exceeds its limit: the request can never pass as is. */
  tooLarge: boolean;
  /** The store was unreachable and the policy failed open: nothing was enforced. */
  degraded: boolean;
  /** The time the decision was made at (the Redis server clock for the Redis adapter). */
  now: number;
  /** Present when allowed (and not degraded): pass to `adjust` to correct a token estimate. */
  ticket?: LimitTicket;
}

export interface RateLimiter {
  /** Checks every limit and, only if all have room, consumes them all, atomically. */
  consume(checks: readonly LimitCheck[], now?: number): Promise<LimitDecision>;
  /** The same decision without consuming anything (e.g. headers on a cached response). */
  peek(checks: readonly LimitCheck[], now?: number): Promise<LimitDecision>;
  /**
   * Corrects a consumed estimate by `delta` units (actual − estimate). Pass the same checks that were
   * consumed and the decision's ticket. Never refuses. Without a ticket (or once the event has slid
   * out of the window) a positive delta is recorded as a new event now and a negative one is ignored.
   */
  adjust(checks: readonly LimitCheck[], delta: number, ticket?: LimitTicket, now?: number): Promise<void>;
  /** Forgets all recorded usage for a scope id (every window; one metric when given). */
  reset(target: LimitTarget): Promise<void>;
  close(): Promise<void>;
}
