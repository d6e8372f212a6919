/**
 * The refusal a caller sees when a budget is spent.
 *
 * Choice: kind `policy_refusal` (core/errors.ts lists budgets under it) with HTTP status 429 and
 * code `insufficient_quota` — exactly what OpenAI answers when an account's quota is used up, so
 * OpenAI SDK users can already tell it apart from a plain rate limit (`rate_limit_exceeded`).
 * Not kind `rate_limited`: that kind is retryable and waiting a few seconds does not refill a
 * budget. `retryable` is false and `retryAfterMs` is the time until the window resets, which the
 * gateway turns into an honest `Retry-After` (possibly hours). 402 was rejected: no OpenAI client
 * handles it. The message always names the budget.
 */
import { ConduitError } from '../core/errors.js';
import { formatUsd } from './money.js';
import type { BudgetWindow } from './budget-window.js';

export interface BudgetRefusalDetails {
  budget: string;
  window: BudgetWindow;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  estimatedCostUsd: number;
  windowEnd: number;
  now: number;
}

export function budgetRefusalMessage(d: BudgetRefusalDetails): string {
  const resets = `${d.window} window, resets ${new Date(d.windowEnd).toISOString()}`;
  const inFlight = d.reservedUsd > 0 ? ` + ${formatUsd(d.reservedUsd)} in flight` : '';
  if (d.spentUsd + d.reservedUsd >= d.limitUsd) {
    return `budget ${d.budget} exhausted: ${formatUsd(d.spentUsd)}${inFlight} of ${formatUsd(d.limitUsd)} spent (${resets})`;
  }
  return `budget ${d.budget} would be exceeded: ${formatUsd(d.spentUsd)} spent${inFlight} + ${formatUsd(d.estimatedCostUsd)} estimated for this request > ${formatUsd(d.limitUsd)} limit (${resets})`;
}

export function budgetExhaustedError(d: BudgetRefusalDetails): ConduitError {
  return new ConduitError('policy_refusal', budgetRefusalMessage(d), {
    status: 429,
    code: 'insufficient_quota',
    retryable: false,
    retryAfterMs: Math.max(0, d.windowEnd - d.now),
  });
}

/** The budget store (Redis) cannot be reached and the fail mode is `closed`. */
export function budgetStoreUnavailableError(cause: unknown): ConduitError {
  return new ConduitError('provider_unavailable', 'budget store unavailable: refusing the request because budgets are configured to fail closed', {
    status: 503,
    code: 'budget_store_unavailable',
    retryable: false,
    cause,
  });
}
