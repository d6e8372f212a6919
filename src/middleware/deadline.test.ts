import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { ModelRequest } from '../models/language-model.js';
import { drainStream, hang, reply, ScriptedModel, streamThenStall } from '../../test/support/scripted-model.js';
import { deadlineFromHeader, earlierDeadline, MAX_DEADLINE_MS, withDeadline } from './deadline.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };
const isInvalid = (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && err.param === 'x-conduit-deadline-ms';

describe('deadlineFromHeader', () => {
  test('turns a relative ms budget into an absolute deadline', () => {
    assert.equal(deadlineFromHeader('1500', 1_000_000), 1_001_500);
    assert.equal(deadlineFromHeader(' 20 ', 5), 25);
    assert.equal(deadlineFromHeader(String(MAX_DEADLINE_MS), 0), MAX_DEADLINE_MS);
  });

  test('absent or empty means no deadline', () => {
    assert.equal(deadlineFromHeader(undefined, 1), undefined);
    assert.equal(deadlineFromHeader('', 1), undefined);
    assert.equal(deadlineFromHeader('   ', 1), undefined);
  });

  test('rejects anything but a whole positive number of ms within the limit', () => {
    for (const bad of ['abc', '-5', '1.5', '1e3', '0', '0x10', '10ms', String(MAX_DEADLINE_MS + 1), '99999999999999999999']) {
      assert.throws(() => deadlineFromHeader(bad, 0), isInvalid, bad);
    }
  });

  test('earlierDeadline picks the tighter one', () => {
    assert.equal(earlierDeadline(undefined, undefined), undefined);
    assert.equal(earlierDeadline(5, undefined), 5);
    assert.equal(earlierDeadline(undefined, 7), 7);
    assert.equal(earlierDeadline(9, 7), 7);
  });
});

describe('withDeadline', () => {
  test('cuts off a model that ignores its signal when the deadline passes', async () => {
    const model = new ScriptedModel({ script: [hang({ ignoreAbort: true })] });
    await assert.rejects(withDeadline(model).generate(request, { deadlineAt: Date.now() + 30 }), (err: unknown) => err instanceof ConduitError && err.kind === 'timeout' && err.code === 'deadline_exceeded');
  });

  test('applies a default deadline when the call carries none, and passes it down', async () => {
    const model = new ScriptedModel({ script: [hang(), reply('ok')] });
    const guarded = withDeadline(model, { defaultTimeoutMs: 30 });
    await assert.rejects(guarded.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'timeout');
    assert.equal(model.abortedCalls, 1);
    const before = Date.now();
    await guarded.generate(request);
    const seen = model.calls[1]!.options.deadlineAt!;
    assert.ok(seen >= before + 30 && seen <= Date.now() + 30);
  });

  test('the attempt timeout applies when shorter than the deadline', async () => {
    const model = new ScriptedModel({ script: [hang()] });
    await assert.rejects(withDeadline(model, { attemptTimeoutMs: 20 }).generate(request, { deadlineAt: Date.now() + 60_000 }), (err: unknown) => err instanceof ConduitError && err.code === 'attempt_timeout' && err.retryable);
  });

  test('an already expired deadline never reaches the model', async () => {
    const model = new ScriptedModel({ script: [reply('ok')] });
    await assert.rejects(withDeadline(model).generate(request, { deadlineAt: Date.now() - 1 }));
    assert.equal(model.callCount, 0);
  });

  test('a stream that stalls past the deadline is ended with a timeout and its iterator released', async () => {
    const model = new ScriptedModel({ script: [streamThenStall(['a', 'b'], { ignoreAbort: true })] });
    const { text, error } = await drainStream(withDeadline(model).stream(request, { deadlineAt: Date.now() + 40 }));
    assert.equal(text, 'ab');
    assert.ok(error instanceof ConduitError && error.code === 'deadline_exceeded');
    assert.equal(model.returnCalls, 1);
  });
});
