import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { ModelRequest } from '../models/language-model.js';
import { createManualClock } from '../reliability/clock.js';
import { drainStream, fail, reply, ScriptedModel, streamThenFail } from '../../test/support/scripted-model.js';
import { CircuitBreaker, withCircuitBreaker, type CircuitState } from './circuit-breaker.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };
const providerDown = () => new ConduitError('provider_unavailable', 'down');

describe('CircuitBreaker', () => {
  test('opens after 5 consecutive provider failures (default), not before', () => {
    const clock = createManualClock();
    const breaker = new CircuitBreaker('d1', { now: clock.now });
    for (let i = 0; i < 4; i++) {
      assert.ok(breaker.tryAcquire());
      breaker.record(providerDown());
    }
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().consecutiveFailures, 4);
    assert.ok(breaker.tryAcquire());
    breaker.record(providerDown());
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.canAttempt(), false);
    assert.equal(breaker.tryAcquire(), false);
    assert.equal(breaker.snapshot().timesOpened, 1);
  });

  test('a success resets the consecutive count', () => {
    const breaker = new CircuitBreaker('d1', { failureThreshold: 3 });
    breaker.record(providerDown());
    breaker.record(providerDown());
    breaker.onSuccess();
    breaker.record(providerDown());
    breaker.record(providerDown());
    assert.equal(breaker.state, 'closed');
  });

  test('client errors and cancels do not count as failures', () => {
    const breaker = new CircuitBreaker('d1', { failureThreshold: 2 });
    for (const kind of ['invalid_request', 'authentication', 'context_length', 'cancelled', 'not_found'] as const) {
      breaker.record(new ConduitError(kind, kind));
      breaker.record(new ConduitError(kind, kind));
    }
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().consecutiveFailures, 0);
  });

  test('open → half-open after the cooldown (default 60 s); one trial only; success closes', () => {
    const clock = createManualClock();
    const changes: Array<[CircuitState, CircuitState]> = [];
    const breaker = new CircuitBreaker('d1', { now: clock.now, failureThreshold: 1, onStateChange: (c) => changes.push([c.from, c.to]) });
    breaker.record(providerDown());
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.snapshot().retryAt, clock.now() + 60_000);
    clock.advance(59_999);
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.tryAcquire(), false);
    clock.advance(1);
    assert.equal(breaker.state, 'half-open');
    assert.ok(breaker.canAttempt());
    assert.equal(breaker.tryAcquire(), true, 'the trial');
    assert.equal(breaker.tryAcquire(), false, 'only one trial at a time');
    assert.equal(breaker.canAttempt(), false);
    breaker.onSuccess();
    assert.equal(breaker.state, 'closed');
    assert.ok(breaker.tryAcquire());
    assert.deepEqual(changes, [
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  test('a failed trial reopens for another full cooldown', () => {
    const clock = createManualClock();
    const breaker = new CircuitBreaker('d1', { now: clock.now, failureThreshold: 5, cooldownMs: 1000 });
    for (let i = 0; i < 5; i++) breaker.record(providerDown());
    clock.advance(1000);
    assert.ok(breaker.tryAcquire());
    breaker.record(providerDown());
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.snapshot().timesOpened, 2);
    clock.advance(999);
    assert.equal(breaker.tryAcquire(), false);
    clock.advance(1);
    assert.ok(breaker.tryAcquire());
  });

  test('a cancelled trial frees the slot for another trial', () => {
    const clock = createManualClock();
    const breaker = new CircuitBreaker('d1', { now: clock.now, failureThreshold: 1, cooldownMs: 10 });
    breaker.record(providerDown());
    clock.advance(10);
    assert.ok(breaker.tryAcquire());
    breaker.record(new ConduitError('cancelled', 'caller left'));
    assert.equal(breaker.state, 'half-open');
    assert.ok(breaker.tryAcquire());
  });
});

describe('withCircuitBreaker', () => {
  test('fails fast while open without calling the model, then lets one trial through', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [fail('provider_error'), fail('provider_error'), reply('back')] });
    const guarded = withCircuitBreaker(model, { failureThreshold: 2, cooldownMs: 5000, now: clock.now });
    await assert.rejects(guarded.generate(request));
    await assert.rejects(guarded.generate(request));
    assert.equal(guarded.breaker.state, 'open');
    await assert.rejects(guarded.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable' && err.code === 'circuit_open' && err.retryable && err.retryAfterMs === 5000);
    assert.equal(model.callCount, 2, 'the open circuit did not reach the model');
    clock.advance(5000);
    const result = await guarded.generate(request);
    assert.equal(result.text, 'back');
    assert.equal(guarded.breaker.state, 'closed');
  });

  test('streams count a mid-stream failure and a clean finish', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ script: [streamThenFail(['a']), reply('fine')] });
    const guarded = withCircuitBreaker(model, { failureThreshold: 1, cooldownMs: 100, now: clock.now });
    const first = await drainStream(guarded.stream(request));
    assert.ok(first.error instanceof ConduitError);
    assert.equal(guarded.breaker.state, 'open');
    const blocked = await drainStream(guarded.stream(request));
    assert.ok(blocked.error instanceof ConduitError && blocked.error.code === 'circuit_open');
    assert.equal(model.callCount, 1);
    clock.advance(100);
    const trial = await drainStream(guarded.stream(request));
    assert.equal(trial.error, undefined);
    assert.equal(trial.text, 'fine');
    assert.equal(guarded.breaker.state, 'closed');
  });
});
