import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { ModelRequest } from '../models/language-model.js';
import { createFallbackChain } from './fallback.js';
import { createRetryBudget } from './retry-budget.js';
import { drainStream, fail, reply, ScriptedModel, streamThenFail } from '../../test/support/scripted-model.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };

describe('createFallbackChain', () => {
  test('moves down the chain on retryable errors, in order', async () => {
    const openai = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o', script: [fail('rate_limited')] });
    const anthropic = new ScriptedModel({ provider: 'anthropic', modelId: 'claude', script: [fail('provider_unavailable')] });
    const local = new ScriptedModel({ provider: 'ollama', modelId: 'llama', script: [reply('local answer')] });
    const chain = createFallbackChain([openai, anthropic, local]);
    const result = await chain.generate(request);
    assert.equal(result.text, 'local answer');
    assert.equal(result.provider, 'ollama');
    assert.deepEqual(
      [openai.callCount, anthropic.callCount, local.callCount],
      [1, 1, 1],
    );
    assert.equal(chain.modelId, 'gpt-4o');
    assert.equal(chain.provider, 'fallback');
  });

  test('stops at a non-retryable error', async () => {
    const a = new ScriptedModel({ script: [fail('authentication')] });
    const b = new ScriptedModel({ script: [reply('b')] });
    await assert.rejects(createFallbackChain([a, b]).generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'authentication');
    assert.equal(b.callCount, 0);
  });

  test('context_length falls back to the next *different* model by default', async () => {
    const small = new ScriptedModel({ provider: 'openai', modelId: 'small', script: [fail('context_length')] });
    const sameSmall = new ScriptedModel({ provider: 'openai', modelId: 'small', script: [reply('same')] });
    const big = new ScriptedModel({ provider: 'openai', modelId: 'big-context', script: [reply('big')] });
    const result = await createFallbackChain([small, sameSmall, big]).generate(request);
    assert.equal(result.text, 'big');
    assert.equal(sameSmall.callCount, 0, 'the same model elsewhere has the same window: skipped');
  });

  test('fallbackOnContextLength: false surfaces the context_length error', async () => {
    const small = new ScriptedModel({ modelId: 'small', script: [fail('context_length')] });
    const big = new ScriptedModel({ modelId: 'big', script: [reply('big')] });
    await assert.rejects(createFallbackChain([small, big], { fallbackOnContextLength: false }).generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'context_length');
    assert.equal(big.callCount, 0);
  });

  test('the last error is thrown when every model fails', async () => {
    const a = new ScriptedModel({ script: [fail('provider_error', { message: 'first' })] });
    const b = new ScriptedModel({ script: [fail('provider_unavailable', { message: 'last' })] });
    await assert.rejects(createFallbackChain([a, b]).generate(request), (err: unknown) => err instanceof ConduitError && err.message === 'last');
  });

  test('a carried retry budget limits how far down the chain a request goes', async () => {
    const models = [0, 1, 2, 3].map(() => new ScriptedModel({ whenEmpty: fail('provider_unavailable') }));
    await assert.rejects(createFallbackChain(models).generate(request, { retryBudget: createRetryBudget(1) }));
    assert.deepEqual(
      models.map((m) => m.callCount),
      [1, 1, 0, 0],
    );
  });

  test('streams fall back before commit and are interrupted after it', async () => {
    const a = new ScriptedModel({ script: [fail('provider_unavailable'), streamThenFail(['par', 'tial'])] });
    const b = new ScriptedModel({ whenEmpty: reply('from b') });
    const chain = createFallbackChain([a, b]);
    const ok = await drainStream(chain.stream(request));
    assert.equal(ok.error, undefined);
    assert.equal(ok.text, 'from b');
    const broken = await drainStream(chain.stream(request));
    assert.equal(broken.text, 'partial');
    assert.ok(broken.error instanceof ConduitError && broken.error.kind === 'stream_interrupted');
    assert.equal(b.callCount, 1);
  });

  test('custom shouldFallback decides', async () => {
    const a = new ScriptedModel({ script: [fail('policy_refusal')] });
    const b = new ScriptedModel({ script: [reply('b')] });
    const chain = createFallbackChain([a, b], { shouldFallback: (err) => err.kind === 'policy_refusal' });
    assert.equal((await chain.generate(request)).text, 'b');
  });
});
