/**
 * Cost of one call from its usage and the model's price. Prices are USD per 1M tokens, as every
 * provider publishes them.
 */
import type { Usage } from '../../core/usage.js';

export interface ModelPrice {
  /** Uncached prompt tokens. */
  input: number;
  output: number;
  /** Prompt tokens read from the provider's cache (OpenAI cached input, Anthropic cache read). Defaults to `input`. */
  cachedInput?: number;
  /** Prompt tokens written to the cache (Anthropic cache creation). Defaults to `input`. */
  cacheWrite?: number;
  /** Reasoning tokens, when a provider bills them differently from other output. Defaults to `output`. */
  reasoning?: number;
}

const PER_MILLION = 1_000_000;

/**
 * `usage.cachedInputTokens` and `usage.cacheWriteTokens` are subsets of `inputTokens`, and
 * `reasoningTokens` a subset of `outputTokens` (see core/usage.ts), so each token is billed exactly
 * once, at the most specific rate the price has. A provider that reports a subset larger than its
 * total (seen in the wild with buggy compatible servers) is clamped rather than billed negatively.
 */
export function computeCost(usage: Usage, price: ModelPrice): number {
  const cached = Math.max(0, usage.cachedInputTokens);
  const cacheWrite = Math.max(0, usage.cacheWriteTokens);
  const plainInput = Math.max(0, usage.inputTokens - cached - cacheWrite);
  const reasoning = Math.max(0, Math.min(usage.reasoningTokens, usage.outputTokens));
  const plainOutput = Math.max(0, usage.outputTokens - reasoning);

  // Summed in "USD per million" units and divided once, which keeps round prices exact in floating point.
  const micro =
    plainInput * price.input +
    cached * (price.cachedInput ?? price.input) +
    cacheWrite * (price.cacheWrite ?? price.input) +
    plainOutput * price.output +
    reasoning * (price.reasoning ?? price.output);
  return micro / PER_MILLION;
}
