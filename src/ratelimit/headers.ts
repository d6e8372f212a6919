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
  const pairs = rateLimitHeaderPairs(decision, true);
  const headers: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) headers[pairs[i]!] = pairs[i + 1]!;
  return headers;
}

/** Header names per metric, built once (this runs on every rate-limited request). */
const METRIC_HEADER_NAMES = {
  requests: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
} as const;

/** OpenAI's three `x-ratelimit-*-<metric>` headers for the tightest check of `metric`, if any. */
function pushMetricPairs(out: string[], decision: LimitDecision, metric: 'requests' | 'tokens'): void {
  const check = tightestCheck(decision, metric);
  if (!check) return;
  const [limit, remaining, reset] = METRIC_HEADER_NAMES[metric];
  out.push(limit, String(check.limit), remaining, String(check.remaining), reset, formatResetDuration(check.resetMs));
}

/**
 * The same headers as name/value pairs in the same order, ready for `writeHead` (the gateway's hot
 * path: no intermediate object). `retry-after` is left out unless asked for: the gateway writes it
 * from the error itself, once.
 */
export function rateLimitHeaderPairs(decision: LimitDecision, includeRetryAfter: boolean): string[] {
  const out: string[] = [];
  pushMetricPairs(out, decision, 'requests');
  pushMetricPairs(out, decision, 'tokens');
  if (!decision.allowed && !decision.tooLarge) {
    const ms = Math.max(0, Math.ceil(decision.retryAfterMs));
    if (includeRetryAfter) out.push('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));
    out.push('retry-after-ms', String(ms));
  }
  return out;
}
