import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../src/core/errors.js';
import type { ModelRequest } from '../../src/models/language-model.js';
import { createManualClock } from '../../src/reliability/clock.js';
import { collectStream, delayed, drainStream, fail, hang, reply, ScriptedModel, seededRandom, streamThenFail, streamThenStall, streamWithoutFinish, throwError, toolCallReply } from './scripted-model.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };

describe('ScriptedModel', () => {
  test('plays its queue in order for generate and stream, and records calls', async () => {
    const model = new ScriptedModel({ provider: 'p', modelId: 'm', script: [reply('one'), reply('two')] });
    assert.equal((await model.generate(request)).text, 'one');
    const { parts, text } = await collectStream(model.stream(request, { requestId: 'r2' }));
    assert.equal(text, 'two');
    assert.deepEqual(parts[0], { type: 'start', id: 'm-resp-2', model: 'm', provider: 'p' });
    assert.equal(parts.at(-1)?.type, 'finish');
    assert.deepEqual(
      model.calls.map((c) => c.method),
      ['generate', 'stream'],
    );
    assert.equal(model.calls[1]!.options.requestId, 'r2');
    await assert.rejects(model.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'internal' && /exhausted/.test(err.message));
  });

  test('errors: ConduitError kinds and arbitrary throwables, from generate and stream', async () => {
    const model = new ScriptedModel({ script: [fail('rate_limited', { retryAfterMs: 5 }), fail('timeout'), throwError(new RangeError('x'))] });
    await assert.rejects(model.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'rate_limited' && err.retryAfterMs === 5);
    const { error, parts } = await drainStream(model.stream(request));
    assert.ok(error instanceof ConduitError && error.kind === 'timeout');
    assert.equal(parts.length, 0, 'a connect error yields nothing');
    await assert.rejects(model.generate(request), RangeError);
  });

  test('stream faults: N chunks then throw / end without finish', async () => {
    const model = new ScriptedModel({ script: [streamThenFail(['a', 'b']), streamWithoutFinish(['c'])] });
    const failed = await drainStream(model.stream(request));
    assert.equal(failed.text, 'ab');
    assert.ok(failed.error instanceof ConduitError);
    const cut = await drainStream(model.stream(request));
    assert.equal(cut.text, 'c');
    assert.equal(cut.error, undefined);
    assert.ok(!cut.parts.some((p) => p.type === 'finish'));
  });

  test('stall and hang honour the abort signal unless told to ignore it', async () => {
    const model = new ScriptedModel({ script: [streamThenStall(['a']), hang({ ignoreAbort: true })] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const stalled = await drainStream(model.stream(request, { signal: controller.signal }));
    assert.equal(stalled.text, 'a');
    assert.ok(stalled.error instanceof ConduitError && stalled.error.kind === 'cancelled');
    assert.equal(model.abortedCalls, 1);
    const stubborn = model.generate(request, { signal: AbortSignal.abort() });
    const outcome = await Promise.race([stubborn.then(() => 'settled'), new Promise((r) => setTimeout(() => r('still hanging'), 30))]);
    assert.equal(outcome, 'still hanging');
  });

  test('tool calls, reasoning and usage', async () => {
    const model = new ScriptedModel({ script: [toolCallReply([{ id: 't1', name: 'f', arguments: '{}' }], { usage: { inputTokens: 7 } })] });
    const result = await model.generate(request);
    assert.equal(result.finishReason, 'tool_calls');
    assert.equal(result.toolCalls[0]!.name, 'f');
    assert.equal(result.usage.inputTokens, 7);
  });

  test('delays go through the injected sleep; in-flight is tracked', async () => {
    const clock = createManualClock(0);
    const model = new ScriptedModel({ sleep: clock.sleep, script: [delayed(250, reply('late'))] });
    await model.generate(request);
    assert.equal(clock.now(), 250);
    assert.equal(model.inFlight, 0);
    assert.equal(model.maxInFlight, 1);
  });

  test('seededRandom is reproducible and in [0, 1)', () => {
    const a = seededRandom(3);
    const b = seededRandom(3);
    const xs = Array.from({ length: 100 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 100 }, () => b()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});
