import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Usage } from '../../core/usage.js';
import { computeCost } from './compute-cost.js';

function usage(u: Partial<Usage>): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, ...u };
}

/** Floating-point sums of exact decimal prices differ from the hand value only in the last bits. */
function assertUsd(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `expected ${expected}, got ${actual}`);
}

describe('computeCost', () => {
  test('plain input and output at their rates', () => {
    // gpt-4o: 1,000 × $2.50/M + 500 × $10/M = $0.0025 + $0.005
    assertUsd(computeCost(usage({ inputTokens: 1000, outputTokens: 500 }), { input: 2.5, output: 10 }), 0.0075);
  });

  test('cached input at the cached rate, the rest at the input rate', () => {
    // 10,000 prompt tokens of which 8,000 cached: 2,000 × 2.5 + 8,000 × 1.25 = 5,000 + 10,000 → $0.015
    // plus 100 output × 10 = 1,000 → $0.001
    assertUsd(
      computeCost(usage({ inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 100 }), { input: 2.5, cachedInput: 1.25, output: 10 }),
      0.016,
    );
  });

  test('cache writes and reads at Anthropic rates (1.25× and 0.1× input)', () => {
    // claude-sonnet-4-5: input 3, write 3.75, read 0.30, output 15.
    // 5,000 prompt = 1,000 plain + 3,000 written + 1,000 read; 200 output.
    // 1,000×3 + 3,000×3.75 + 1,000×0.3 + 200×15 = 3,000 + 11,250 + 300 + 3,000 = 17,550 → $0.01755
    assertUsd(
      computeCost(usage({ inputTokens: 5000, cacheWriteTokens: 3000, cachedInputTokens: 1000, outputTokens: 200 }), {
        input: 3,
        cacheWrite: 3.75,
        cachedInput: 0.3,
        output: 15,
      }),
      0.01755,
    );
  });

  test('missing cache rates fall back to the input rate', () => {
    // 1,000 × 2 (of which 400 cached and 100 written, all at 2) = $0.002
    assertUsd(computeCost(usage({ inputTokens: 1000, cachedInputTokens: 400, cacheWriteTokens: 100 }), { input: 2, output: 8 }), 0.002);
  });

  test('reasoning tokens are part of output, at the reasoning rate when one is set', () => {
    // 1,000 output of which 600 reasoning: 400 × 8 + 600 × 20 = 3,200 + 12,000 → $0.0152
    assertUsd(computeCost(usage({ outputTokens: 1000, reasoningTokens: 600 }), { input: 2, output: 8, reasoning: 20 }), 0.0152);
    // Without a reasoning rate every output token is billed at output: 1,000 × 8 → $0.008
    assertUsd(computeCost(usage({ outputTokens: 1000, reasoningTokens: 600 }), { input: 2, output: 8 }), 0.008);
  });

  test('inconsistent usage is clamped, never negative', () => {
    // Reported cached > input: only the 50 cached tokens are billed, at the cached rate.
    assertUsd(computeCost(usage({ inputTokens: 20, cachedInputTokens: 50 }), { input: 10, cachedInput: 1, output: 10 }), 50 / 1e6);
    // Reasoning > output: capped at output.
    assertUsd(computeCost(usage({ outputTokens: 10, reasoningTokens: 99 }), { input: 1, output: 1, reasoning: 4 }), 40 / 1e6);
    assert.equal(computeCost(usage({}), { input: 3, output: 15 }), 0);
  });
});
