/**
 * OpenAI's rate-limit response headers from a LimitDecision. OpenAI reports one limit per metric; a
 * Conduit request may be under several (key, user, team, model), so each metric reports the check
 * closest to refusing: the fewest remaining units, then the smallest limit.
 */
import type { LimitCheckResult, LimitDecision, LimitMetric } from './types.js';

/**
 * A duration the way OpenAI (Go's time.Duration) writes it: "20ms", "1s", "1.5s", "6m0s", "1h0m0s".
 * Input is milliseconds, rounded up to a whole ms so a reset is never reported early.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const seconds = `${Math.floor(millis / 1000)}${fraction(millis % 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function fraction(ms: number): string {
  if (ms === 0) return '';
  return '.' + String(ms).padStart(3, '0').replace(/0+$/, '');
}

/** The check of this metric closest to refusing, if the request had one. */
export function tightestCheck(decision: LimitDecision, metric: LimitMetric): LimitCheckResult | undefined {
  let best: LimitCheckResult | undefined;
  for (const c of decision.checks) {
    if (c.metric !== metric) continue;
    if (!best || c.remaining < best.remaining || (c.remaining === best.remaining && c.limit < best.limit)) best = c;
  }
  return best;
}

/**
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for each metric the request was checked
 * on, plus `retry-after` (whole seconds, rounded up) and `retry-after-ms` when it was refused.
 */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const metric of ['requests', 'tokens'] as const) {
    const check = tightestCheck(decision, metric);
    if (!check) continue;
    headers[`x-ratelimit-limit-${metric}`] = String(check.limit);
    headers[`x-ratelimit-remaining-${metric}`] = String(check.remaining);
    headers[`x-ratelimit-reset-${metric}`] = formatResetDuration(check.resetMs);
  }
  if (!decision.allowed && !decision.tooLarge) {
    const ms = Math.max(0, Math.ceil(decision.retryAfterMs));
    headers['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)));
    headers['retry-after-ms'] = String(ms);
  }
  return headers;
}
