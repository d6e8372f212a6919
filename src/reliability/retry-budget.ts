/**
 * One retry budget per request. Every layer that would make another attempt (a retry, a failover
 * to another deployment, a fallback to another model) first takes a unit from the request's
 * budget, so `1 + budget` bounds the number of upstream calls however the layers are nested.
 */
import type { CallOptions, RetryBudget } from '../models/language-model.js';

export function createRetryBudget(maxExtraAttempts: number): RetryBudget {
  if (!Number.isInteger(maxExtraAttempts) || maxExtraAttempts < 0) {
    throw new RangeError(`retry budget must be a non-negative integer, got ${maxExtraAttempts}`);
  }
  let used = 0;
  return {
    tryAcquire() {
      if (used >= maxExtraAttempts) return false;
      used++;
      return true;
    },
    get remaining() {
      return maxExtraAttempts - used;
    },
    get used() {
      return used;
    },
  };
}

/**
 * Returns options that carry a retry budget: the caller's, or a new one of `defaultSize` when this
 * is the outermost layer. Inner layers then share it instead of creating their own.
 */
export function ensureRetryBudget(options: CallOptions, defaultSize: number): CallOptions & { retryBudget: RetryBudget } {
  if (options.retryBudget) return options as CallOptions & { retryBudget: RetryBudget };
  return { ...options, retryBudget: createRetryBudget(defaultSize) };
}
