/** Defaults and identity of a LimitCheck, shared by both adapters so they agree exactly. */
import { ConduitError } from '../core/errors.js';
import type { FailMode, LimitCheck, LimitDecision, LimitCheckResult, LimitMetric, LimitScope } from './types.js';

export const DEFAULT_WINDOW_MS = 60_000;

export interface NormalizedCheck {
  scope: LimitScope;
  id: string;
  metric: LimitMetric;
  limit: number;
  windowMs: number;
  /** Whole units: token estimates are rounded up so sums stay exact integers. */
  cost: number;
  failMode: FailMode | undefined;
  /** Stable name of this window log: scope, id, metric and window length. */
  logName: string;
}

export function normalizeCheck(check: LimitCheck): NormalizedCheck {
  const windowMs = check.windowMs ?? DEFAULT_WINDOW_MS;
  const cost = Math.ceil(check.cost ?? (check.metric === 'requests' ? 1 : 0));
  if (!Number.isFinite(check.limit) || check.limit < 0) {
    throw new ConduitError('invalid_request', `Rate limit for ${check.scope} ${check.id} must be a finite number >= 0`);
  }
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new ConduitError('invalid_request', `Rate-limit window must be a positive whole number of ms, got ${windowMs}`);
  }
  if (!Number.isFinite(cost) || cost < 0) {
    throw new ConduitError('invalid_request', `Rate-limit cost must be a finite number >= 0, got ${check.cost}`);
  }
  return {
    scope: check.scope,
    id: check.id,
    metric: check.metric,
    limit: Math.floor(check.limit),
    windowMs,
    cost,
    failMode: check.failMode,
    logName: logName(check.scope, check.id, check.metric, windowMs),
  };
}

/** `scope:id:metric:windowMs`, with the id URI-encoded so a `:` or `*` in it cannot collide or glob. */
export function logName(scope: LimitScope, id: string, metric: LimitMetric, windowMs: number): string {
  return `${scopePrefix(scope, id)}${metric}:${windowMs}`;
}

export function scopePrefix(scope: LimitScope, id: string): string {
  return `${scope}:${encodeURIComponent(id)}:`;
}

/** `closed` if any check asks for it, else `open` if any does, else the fallback. */
export function effectiveFailMode(checks: readonly NormalizedCheck[], fallback: FailMode): FailMode {
  if (checks.some((c) => c.failMode === 'closed')) return 'closed';
  if (checks.some((c) => c.failMode === 'open')) return 'open';
  return fallback;
}

/** The decision returned when the store is down and the policy fails open: nothing enforced. */
export function degradedDecision(checks: readonly NormalizedCheck[], now: number): LimitDecision {
  return {
    allowed: true,
    retryAfterMs: 0,
    tooLarge: false,
    degraded: true,
    now,
    checks: checks.map((c) => ({
      scope: c.scope,
      id: c.id,
      metric: c.metric,
      limit: c.limit,
      windowMs: c.windowMs,
      cost: c.cost,
      allowed: true,
      remaining: c.limit,
      resetMs: 0,
      retryAfterMs: 0,
      tooLarge: false,
    })),
  };
}

/** Folds per-check results into one decision: allowed only if all are; wait for the slowest. */
export function combineResults(
  results: LimitCheckResult[],
  now: number,
  ticketId: string | undefined,
): LimitDecision {
  const allowed = results.every((r) => r.allowed);
  const refusing = results.filter((r) => !r.allowed);
  const decision: LimitDecision = {
    allowed,
    retryAfterMs: allowed ? 0 : Math.max(0, ...refusing.map((r) => r.retryAfterMs)),
    tooLarge: refusing.some((r) => r.tooLarge),
    degraded: false,
    now,
    checks: results,
  };
  if (allowed && ticketId !== undefined) decision.ticket = { id: ticketId, at: now };
  return decision;
}
