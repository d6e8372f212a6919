import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelRequest } from '../models/language-model.js';
import { withRetry } from '../middleware/retry.js';
import { createManualClock } from './clock.js';
import { createFallbackChain } from './fallback.js';
import { createRetryBudget, ensureRetryBudget } from './retry-budget.js';
import { createRouter } from './router.js';
import { drainStream, fail, ScriptedModel } from '../../test/support/scripted-model.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };

/** router(2 deployments) → fallback(2 models each) → retry(maxRetries 2) → 4 always-failing leaves. */
function nestedStack() {
  const clock = createManualClock();
  const leaves = [0, 1, 2, 3].map((i) => new ScriptedModel({ modelId: `leaf-${i}`, whenEmpty: fail('provider_unavailable') }));
  const retried = leaves.map((m) => withRetry(m, { maxRetries: 2, clock, random: () => 0 }));
  const chains = [createFallbackChain([retried[0]!, retried[1]!]), createFallbackChain([retried[2]!, retried[3]!])];
  const router = createRouter({ name: 'nested', strategy: 'ordered', clock, breaker: false, deployments: chains.map((model, i) => ({ id: `chain-${i}`, model })) });
  const totalCalls = () => leaves.reduce((n, m) => n + m.callCount, 0);
  return { router, leaves, totalCalls };
}

describe('retry budget', () => {
  test('createRetryBudget hands out exactly its size', () => {
    const budget = createRetryBudget(2);
    assert.deepEqual([budget.tryAcquire(), budget.tryAcquire(), budget.tryAcquire()], [true, true, false]);
    assert.equal(budget.used, 2);
    assert.equal(budget.remaining, 0);
    assert.throws(() => createRetryBudget(-1), RangeError);
  });

  test('ensureRetryBudget keeps a carried budget and creates one otherwise', () => {
    const carried = createRetryBudget(5);
    assert.equal(ensureRetryBudget({ retryBudget: carried }, 1).retryBudget, carried);
    assert.equal(ensureRetryBudget({}, 3).retryBudget.remaining, 3);
  });

  test('nested router → fallback → retry: total upstream calls = 1 + the one shared budget', async () => {
    const { router, totalCalls } = nestedStack();
    const budget = createRetryBudget(3);
    await assert.rejects(router.generate(request, { retryBudget: budget }));
    // Unshared, the layers would multiply: 2 deployments × 2 models × 3 attempts = 12 calls.
    assert.equal(totalCalls(), 4);
    assert.equal(budget.remaining, 0);
  });

  test('the same bound holds for streams', async () => {
    const { router, totalCalls } = nestedStack();
    const { error } = await drainStream(router.stream(request, { retryBudget: createRetryBudget(5) }));
    assert.ok(error);
    assert.equal(totalCalls(), 6);
  });

  test('without a carried budget the outermost layer creates one (router: one try per deployment)', async () => {
    const { router, totalCalls } = nestedStack();
    await assert.rejects(router.generate(request));
    assert.equal(totalCalls(), 2);
  });
});
