import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError, type ErrorKind } from '../core/errors.js';
import type { ModelRequest } from '../models/language-model.js';
import { createManualClock } from '../reliability/clock.js';
import { backoffDelayMs } from '../reliability/error-policy.js';
import { createRetryBudget } from '../reliability/retry-budget.js';
import { StreamInterruptedError } from '../reliability/stream-interrupted-error.js';
import { drainStream, fail, hang, reply, ScriptedModel, streamThenFail, throwError } from '../../test/support/scripted-model.js';
import { withRetry } from './retry.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };

describe('backoffDelayMs', () => {
  test('full jitter stays below base·2^n and under the cap', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 'full' as const };
    const almostOne = () => 0.999999;
    assert.equal(backoffDelayMs(0, opts, almostOne), 99);
    assert.equal(backoffDelayMs(1, opts, almostOne), 199);
    assert.equal(backoffDelayMs(2, opts, almostOne), 399);
    assert.equal(backoffDelayMs(3, opts, almostOne), 799);
    assert.equal(backoffDelayMs(4, opts, almostOne), 999); // capped at maxDelayMs
    assert.equal(backoffDelayMs(30, opts, almostOne), 999);
    assert.equal(backoffDelayMs(5, opts, () => 0), 0);
  });

  test('no jitter gives the exponential ceiling', () => {
    const opts = { baseDelayMs: 250, maxDelayMs: 8000, jitter: 'none' as const };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, opts, Math.random)),
      [250, 500, 1000, 2000, 4000, 8000, 8000],
    );
  });
});

describe('withRetry', () => {
  test('retries retryable errors with exponential full-jitter backoff, then succeeds', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [fail('provider_unavailable'), fail('timeout'), reply('ok')] });
    const retrying = withRetry(model, { clock, random: () => 0.5, baseDelayMs: 100 });
    const result = await retrying.generate(request);
    assert.equal(result.text, 'ok');
    assert.equal(model.callCount, 3);
    // random 0.5 of the ceilings 100 and 200
    assert.deepEqual(clock.sleeps, [50, 100]);
  });

  test('defaults: maxRetries 2, base 250 ms, cap 8000 ms, full jitter', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ whenEmpty: fail('provider_error') });
    const retrying = withRetry(model, { clock, random: () => 0.999 });
    assert.deepEqual(retrying.retryOptions, { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 8000, jitter: 'full' });
    await assert.rejects(retrying.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.equal(model.callCount, 3);
    assert.equal(clock.sleeps.length, 2);
    assert.ok(clock.sleeps[0]! < 250 && clock.sleeps[1]! < 500, `delays ${clock.sleeps.join(',')}`);
  });

  test('honours Retry-After: waits at least that long', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [fail('rate_limited', { retryAfterMs: 3000 }), reply('ok')] });
    const result = await withRetry(model, { clock, random: () => 0.5 }).generate(request);
    assert.equal(result.text, 'ok');
    assert.deepEqual(clock.sleeps, [3000]);
  });

  test('a Retry-After past the deadline fails fast with the original error', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [fail('rate_limited', { retryAfterMs: 10_000 }), reply('ok')] });
    const deadlineAt = clock.now() + 5000;
    await assert.rejects(withRetry(model, { clock }).generate(request, { deadlineAt }), (err: unknown) => err instanceof ConduitError && err.kind === 'rate_limited' && err.retryAfterMs === 10_000);
    assert.equal(model.callCount, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  test('a backoff longer than the time left fails fast instead of sleeping into a timeout', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [fail('provider_error'), reply('ok')] });
    const deadlineAt = clock.now() + 100;
    await assert.rejects(withRetry(model, { clock, random: () => 0.9, baseDelayMs: 1000, jitter: 'none' }).generate(request, { deadlineAt }), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.equal(model.callCount, 1);
  });

  for (const kind of ['invalid_request', 'authentication', 'permission', 'not_found', 'context_length', 'policy_refusal', 'cancelled', 'payload_too_large'] satisfies ErrorKind[]) {
    test(`never retries ${kind}, even when marked retryable`, async () => {
      const clock = createManualClock();
      const model = new ScriptedModel({ script: [fail(kind, { retryable: true }), reply('ok')] });
      await assert.rejects(withRetry(model, { clock }).generate(request), (err: unknown) => err instanceof ConduitError && err.kind === kind);
      assert.equal(model.callCount, 1);
      assert.deepEqual(clock.sleeps, []);
    });
  }

  test('does not retry an error whose retryable flag is false, nor a non-Conduit throwable', async () => {
    const clock = createManualClock();
    const a = new ScriptedModel({ script: [fail('provider_error', { retryable: false }), reply('ok')] });
    await assert.rejects(withRetry(a, { clock }).generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.equal(a.callCount, 1);
    const b = new ScriptedModel({ script: [throwError(new TypeError('bug')), reply('ok')] });
    await assert.rejects(withRetry(b, { clock }).generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'internal' && err.cause instanceof TypeError);
    assert.equal(b.callCount, 1);
  });

  test('a retry budget carried in CallOptions caps retries below maxRetries', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ whenEmpty: fail('provider_unavailable') });
    const budget = createRetryBudget(1);
    await assert.rejects(withRetry(model, { clock, maxRetries: 5 }).generate(request, { retryBudget: budget }));
    assert.equal(model.callCount, 2);
    assert.equal(budget.remaining, 0);
    assert.equal(budget.used, 1);
  });

  test('the per-attempt timeout aborts a hung attempt (even one ignoring its signal) and retries', async () => {
    const model = new ScriptedModel({ script: [hang({ ignoreAbort: true }), hang(), reply('late but fine')] });
    const result = await withRetry(model, { attemptTimeoutMs: 30, baseDelayMs: 1 }).generate(request);
    assert.equal(result.text, 'late but fine');
    assert.equal(model.callCount, 3);
    assert.equal(model.abortedCalls, 2, 'both hung attempts saw their signal abort');
  });

  test('attemptTimeoutMs can come from CallOptions', async () => {
    const model = new ScriptedModel({ script: [hang(), reply('ok')] });
    const result = await withRetry(model, { baseDelayMs: 1 }).generate(request, { attemptTimeoutMs: 20 });
    assert.equal(result.text, 'ok');
    assert.equal(model.callCount, 2);
  });

  test('an expired deadline stops before calling the model', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [reply('ok')] });
    await assert.rejects(withRetry(model, { clock }).generate(request, { deadlineAt: clock.now() - 1 }), (err: unknown) => err instanceof ConduitError && err.kind === 'timeout' && err.code === 'deadline_exceeded');
    assert.equal(model.callCount, 0);
  });

  test('the deadline cuts off an attempt in progress with a non-retryable timeout', async () => {
    const model = new ScriptedModel({ script: [hang({ ignoreAbort: true }), reply('never')] });
    const started = Date.now();
    await assert.rejects(withRetry(model).generate(request, { deadlineAt: Date.now() + 40 }), (err: unknown) => err instanceof ConduitError && err.code === 'deadline_exceeded');
    assert.equal(model.callCount, 1);
    assert.ok(Date.now() - started < 5000);
  });

  test('a caller abort during backoff ends with cancelled, without another call', async () => {
    const model = new ScriptedModel({ script: [fail('provider_error'), reply('ok')] });
    const controller = new AbortController();
    const promise = withRetry(model, { baseDelayMs: 10_000, jitter: 'none' }).generate(request, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(promise, (err: unknown) => err instanceof ConduitError && err.kind === 'cancelled');
    assert.equal(model.callCount, 1);
  });

  test('onRetry reports each retry and its delay', async () => {
    const clock = createManualClock();
    const seen: Array<[number, string, number]> = [];
    const model = new ScriptedModel({ script: [fail('rate_limited', { retryAfterMs: 700 }), reply('ok')] });
    await withRetry(model, { clock, random: () => 0, onRetry: (i) => seen.push([i.retry, i.error.kind, i.delayMs]) }).generate(request);
    assert.deepEqual(seen, [[1, 'rate_limited', 700]]);
  });

  test('streams: a failure before the first content part is retried transparently', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [fail('provider_unavailable'), streamThenFail([], new ConduitError('provider_error', 'reset')), reply('hello world')] });
    const { parts, text, error } = await drainStream(withRetry(model, { clock }).stream(request));
    assert.equal(error, undefined);
    assert.equal(text, 'hello world');
    assert.equal(model.callCount, 3);
    assert.equal(parts.filter((p) => p.type === 'start').length, 1, 'the failed attempt’s start part is dropped');
    assert.equal(parts.at(-1)?.type, 'finish');
  });

  test('streams: the attempt timeout bounds the wait for the first content part', async () => {
    const model = new ScriptedModel({ script: [hang({ ignoreAbort: true }), reply('second try')] });
    const { text, error } = await drainStream(withRetry(model, { attemptTimeoutMs: 30, baseDelayMs: 1 }).stream(request));
    assert.equal(error, undefined);
    assert.equal(text, 'second try');
    assert.equal(model.returnCalls, 1);
  });

  test('streams: a failure after content is not retried; it surfaces as stream_interrupted', async () => {
    const clock = createManualClock();
    const cause = new ConduitError('provider_error', 'socket closed');
    const model = new ScriptedModel({ script: [streamThenFail(['Hel', 'lo'], cause), reply('again')] });
    const { text, error } = await drainStream(withRetry(model, { clock }).stream(request));
    assert.equal(text, 'Hello');
    assert.ok(error instanceof StreamInterruptedError);
    assert.equal(error.kind, 'stream_interrupted');
    assert.equal(error.cause, cause);
    assert.equal(model.callCount, 1);
  });
});
