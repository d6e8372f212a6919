import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../core/errors.js';
import type { Usage } from '../../core/usage.js';
import { createPriceTable } from './price-table.js';

function usage(u: Partial<Usage>): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, ...u };
}

describe('createPriceTable', () => {
  const table = createPriceTable();

  test('exact ids', () => {
    assert.deepEqual(table.lookup('openai', 'gpt-4o'), { input: 2.5, cachedInput: 1.25, output: 10 });
    assert.deepEqual(table.lookup('openai', 'gpt-4o-mini'), { input: 0.15, cachedInput: 0.075, output: 0.6 });
    assert.equal(table.lookup('openai', 'text-embedding-3-small')?.input, 0.02);
    assert.equal(table.lookup('openai', 'o3')?.output, 8);
  });

  test('dated snapshots resolve to their family, and only snapshot suffixes do', () => {
    assert.equal(table.lookup('openai', 'gpt-4o-2024-08-06'), table.lookup('openai', 'gpt-4o'));
    assert.equal(table.lookup('openai', 'gpt-4o-mini-2024-07-18'), table.lookup('openai', 'gpt-4o-mini'));
    assert.equal(table.lookup('openai', 'gpt-4.1-nano-2025-04-14'), table.lookup('openai', 'gpt-4.1-nano'));
    // A snapshot priced differently has its own entry.
    assert.equal(table.lookup('openai', 'gpt-4o-2024-05-13')?.input, 5);
    assert.equal(table.lookup('anthropic', 'claude-sonnet-4-5-20250929'), table.lookup('anthropic', 'claude-sonnet-4-5'));
    assert.equal(table.lookup('anthropic', 'claude-3-7-sonnet-latest'), table.lookup('anthropic', 'claude-3-7-sonnet'));
    // Longest match: opus-4-1, not opus-4.
    assert.equal(table.lookup('anthropic', 'claude-opus-4-1-20250805'), table.lookup('anthropic', 'claude-opus-4-1'));
    assert.equal(table.lookup('anthropic', 'claude-opus-4-5-20251101')?.input, 5);
    // Not snapshots: different models, unknown price.
    assert.equal(table.lookup('openai', 'gpt-4o-transcribe'), undefined);
    assert.equal(table.lookup('openai', 'gpt-5.9'), undefined);
    assert.equal(table.lookup('openai', 'gpt-4o-mini-tts'), undefined);
  });

  test('Anthropic cache rates are 1.25× (write) and 0.1× (read) input', () => {
    assert.deepEqual(table.lookup('anthropic', 'claude-sonnet-4-5'), { input: 3, output: 15, cacheWrite: 3.75, cachedInput: 0.3 });
    assert.deepEqual(table.lookup('anthropic', 'claude-3-5-haiku-20241022'), { input: 0.8, output: 4, cacheWrite: 1, cachedInput: 0.08 });
    assert.deepEqual(table.lookup('anthropic', 'claude-haiku-4-5'), { input: 1, output: 5, cacheWrite: 1.25, cachedInput: 0.1 });
    assert.deepEqual(table.lookup('anthropic', 'claude-opus-4-1'), { input: 15, output: 75, cacheWrite: 18.75, cachedInput: 1.5 });
  });

  test('local providers cost 0, unknown models are unknown (undefined), not free', () => {
    for (const provider of ['offline', 'ollama', 'llamacpp', 'embedded']) {
      assert.equal(table.cost(provider, 'anything', usage({ inputTokens: 1e6, outputTokens: 1e6 })), 0, provider);
    }
    assert.equal(table.lookup('openai-compatible', 'meta-llama/Llama-3.1-70B-Instruct'), undefined);
    assert.equal(table.cost('openai-compatible', 'mixtral-8x7b', usage({ inputTokens: 100 })), undefined);
  });

  test('cost uses the matched price: hand-computed gpt-4o-mini and claude-sonnet-4-5 calls', () => {
    // gpt-4o-mini: 12,000 prompt (10,000 cached) + 800 output
    // 2,000 × 0.15 + 10,000 × 0.075 + 800 × 0.6 = 300 + 750 + 480 = 1,530 → $0.00153
    const mini = table.cost('openai', 'gpt-4o-mini-2024-07-18', usage({ inputTokens: 12_000, cachedInputTokens: 10_000, outputTokens: 800 }));
    assert.ok(mini !== undefined && Math.abs(mini - 0.00153) < 1e-12, String(mini));
    // claude-sonnet-4-5: 2,000 prompt (1,500 written to cache) + 100 output
    // 500 × 3 + 1,500 × 3.75 + 100 × 15 = 1,500 + 5,625 + 1,500 = 8,625 → $0.008625
    const sonnet = table.cost('anthropic', 'claude-sonnet-4-5-20250929', usage({ inputTokens: 2000, cacheWriteTokens: 1500, outputTokens: 100 }));
    assert.ok(sonnet !== undefined && Math.abs(sonnet - 0.008625) < 1e-12, String(sonnet));
  });

  test('overrides: partial ones complete the built-in price, provider-qualified keys, local models', () => {
    const custom = createPriceTable({
      'gpt-4o': { input: 2 },
      'openai-compatible/llama-3.1-70b': { input: 0.6, output: 0.8 },
      'ollama/llama3.2': { input: 0.01, output: 0.02 },
    });
    assert.deepEqual(custom.lookup('openai', 'gpt-4o'), { input: 2, cachedInput: 1.25, output: 10 });
    assert.equal(custom.lookup('openai', 'gpt-4o-2024-08-06')?.input, 2);
    assert.deepEqual(custom.lookup('openai-compatible', 'llama-3.1-70b'), { input: 0.6, output: 0.8 });
    // The provider-qualified key does not leak to other providers.
    assert.equal(custom.lookup('groq', 'llama-3.1-70b'), undefined);
    assert.equal(custom.lookup('ollama', 'llama3.2')?.output, 0.02);
    assert.equal(custom.lookup('ollama', 'qwen2.5')?.output, 0);
    // The default table is unaffected.
    assert.equal(table.lookup('openai', 'gpt-4o')?.input, 2.5);
  });

  test('invalid or incomplete overrides fail at creation with a clear error', () => {
    assert.throws(
      () => createPriceTable({ 'my-model': { input: 1 } }),
      (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && /needs both input and output/.test(err.message),
    );
    assert.throws(
      () => createPriceTable({ 'gpt-4o': { output: -1 } }),
      (err: unknown) => err instanceof ConduitError && err.param === 'prices.gpt-4o.output',
    );
    assert.throws(() => createPriceTable({ 'gpt-4o': { input: Number.NaN } }), ConduitError);
  });
});
