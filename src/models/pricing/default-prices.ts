/**
 * Built-in list prices, USD per 1M tokens, standard (non-batch, non-priority) tier, as published on
 * openai.com/api/pricing and docs.anthropic.com (pricing) for these models. Prices change: anything
 * here can be overridden with `prices:` in conduit.yaml, and a model missing from this table has an
 * unknown cost (undefined), never a cost of 0.
 *
 * Keys are undated model ids; dated snapshots (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`,
 * `…-latest`) resolve to them (see price-table.ts). A snapshot priced differently from its family
 * gets its own key (`gpt-4o-2024-05-13`).
 *
 * Not modelled: batch discounts, priority tiers, Anthropic's 1-hour cache writes (2× input; Usage
 * does not say which TTL was written, so 5-minute pricing is used) and long-context (>200k input)
 * surcharges. Reasoning tokens are billed as output by both providers, so no `reasoning` rate is set.
 */
import type { ModelPrice } from './compute-cost.js';

/** Anthropic bills cache writes (5-minute TTL) at 1.25× input and cache reads at 0.1× input. */
function anthropic(input: number, output: number): ModelPrice {
  return { input, output, cacheWrite: round(input * 1.25), cachedInput: round(input * 0.1) };
}

/** Keeps derived rates free of binary floating-point noise (0.1 × 3 = 0.30000000000000004). */
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI — GPT-4o family
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'chatgpt-4o-latest': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  // GPT-4.1 family
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4.5-preview': { input: 75, cachedInput: 37.5, output: 150 },
  // GPT-5 family
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-chat-latest': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-pro': { input: 15, output: 120 },
  // o-series reasoning models
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o1-pro': { input: 150, output: 600 },
  // o3 after OpenAI's June 2025 price cut (it launched at 10 / 40).
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-pro': { input: 20, output: 80 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  // Older GPT-4 / GPT-3.5
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4-turbo-preview': { input: 10, output: 30 },
  'gpt-4-1106-preview': { input: 10, output: 30 },
  'gpt-4-0125-preview': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-4-0613': { input: 30, output: 60 },
  'gpt-4-0314': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-3.5-turbo-0125': { input: 0.5, output: 1.5 },
  // Embeddings (input only)
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },

  // Anthropic
  'claude-3-haiku': anthropic(0.25, 1.25),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-haiku-4-5': anthropic(1, 5),
  'claude-3-5-sonnet': anthropic(3, 15),
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-sonnet-4': anthropic(3, 15),
  'claude-sonnet-4-0': anthropic(3, 15),
  'claude-sonnet-4-5': anthropic(3, 15),
  'claude-3-opus': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-opus-4-0': anthropic(15, 75),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4-5': anthropic(5, 25),
};

/** Providers that run on the user's own hardware: a call costs nothing billable. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['offline', 'ollama', 'llamacpp', 'embedded', 'local']);

export const FREE: Readonly<ModelPrice> = Object.freeze({ input: 0, output: 0, cachedInput: 0, cacheWrite: 0 });
