import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { AttemptEvent, LanguageModel, ModelRequest, StreamPart } from '../models/language-model.js';
import { createRouter } from './router.js';
import { isStreamInterruptedError, StreamInterruptedError } from './stream-interrupted-error.js';
import { drainStream, fail, hang, reply, ScriptedModel, streamThenFail, streamThenStall, streamWithoutFinish, toolCallReply, type ScriptStep } from '../../test/support/scripted-model.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'Tell me a story' }] };

function pair(first: ScriptStep, options: { idleTimeoutMs?: number; firstChunkTimeoutMs?: number } = {}) {
  const a = new ScriptedModel({ provider: 'openai', modelId: 'gpt-a', script: [first] });
  const b = new ScriptedModel({ provider: 'anthropic', modelId: 'claude-b', script: [reply('Once upon a time.')] });
  const events: AttemptEvent[] = [];
  const router = createRouter({ name: 'story', strategy: 'ordered', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }], ...options });
  const stream = (extra: { signal?: AbortSignal } = {}) => router.stream(request, { onAttempt: (e) => events.push(e), ...extra });
  return { a, b, router, events, stream };
}

function assertCleanStreamFromB(parts: StreamPart[], error: unknown) {
  assert.equal(error, undefined, `unexpected error: ${String(error)}`);
  const starts = parts.filter((p) => p.type === 'start');
  assert.equal(starts.length, 1, 'exactly one start part reaches the caller');
  assert.deepEqual(starts[0], { type: 'start', id: 'claude-b-resp-1', model: 'claude-b', provider: 'anthropic' });
  assert.equal(parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join(''), 'Once upon a time.');
  assert.equal(parts.at(-1)?.type, 'finish');
}

describe('streaming-aware failover (before commit: transparent)', () => {
  test('connect error → next deployment', async () => {
    const { a, b, events, stream } = pair(fail('provider_unavailable', { message: 'ECONNREFUSED' }));
    const { parts, error } = await drainStream(stream());
    assertCleanStreamFromB(parts, error);
    assert.equal(a.callCount, 1);
    assert.equal(b.callCount, 1);
    assert.deepEqual(
      events.map((e) => [e.target, e.outcome]),
      [
        ['a', 'failure'],
        ['b', 'success'],
      ],
    );
    assert.equal(typeof events[1]!.timeToFirstContentMs, 'number');
  });

  test('error status (429 with Retry-After) → next deployment', async () => {
    const { parts, error } = await drainStream(pair(fail('rate_limited', { upstreamStatus: 429, retryAfterMs: 20_000 })).stream());
    assertCleanStreamFromB(parts, error);
  });

  test('stall before the first chunk (iterator never yields, ignores abort) → next deployment; abandoned iterator is returned', async () => {
    const { a, parts, error } = await (async () => {
      const p = pair(hang({ ignoreAbort: true }), { firstChunkTimeoutMs: 40 });
      return { a: p.a, ...(await drainStream(p.stream())) };
    })();
    assertCleanStreamFromB(parts, error);
    assert.equal(a.returnCalls, 1, 'return() was called on the abandoned iterator');
    assert.equal(a.abortedCalls, 1, 'its signal was aborted');
  });

  test('stall after `start` but before content → the start part is dropped, next deployment serves', async () => {
    const p = pair(streamThenStall([], { ignoreAbort: true }), { idleTimeoutMs: 40 });
    const { parts, error } = await drainStream(p.stream());
    assertCleanStreamFromB(parts, error);
    assert.equal(p.events[0]!.error?.kind, 'timeout');
  });

  test('in-band error before content → next deployment', async () => {
    const { parts, error } = await drainStream(pair(streamThenFail([], new ConduitError('provider_error', 'overloaded_error'))).stream());
    assertCleanStreamFromB(parts, error);
  });

  test('end without finish before content → next deployment', async () => {
    const { parts, error } = await drainStream(pair(streamWithoutFinish([])).stream());
    assertCleanStreamFromB(parts, error);
  });

  test('a non-retryable error before content is not failed over', async () => {
    const p = pair(fail('context_length'));
    const { parts, error } = await drainStream(p.stream());
    assert.ok(error instanceof ConduitError && error.kind === 'context_length');
    assert.equal(parts.length, 0);
    assert.equal(p.b.callCount, 0);
  });
});

describe('streaming-aware failover (after commit: explicit)', () => {
  test('a failure after content ends with StreamInterruptedError carrying cause, servedBy and partial usage', async () => {
    const cause = new ConduitError('provider_error', 'socket hang up');
    const p = pair(streamThenFail(['Once ', 'upon'], cause));
    const { text, parts, error } = await drainStream(p.stream());
    assert.equal(text, 'Once upon');
    assert.equal(parts.filter((x) => x.type === 'finish').length, 0);
    assert.ok(isStreamInterruptedError(error));
    assert.equal(error.kind, 'stream_interrupted');
    assert.equal(error.status, 502);
    assert.equal(error.retryable, false);
    assert.equal(error.cause, cause);
    assert.equal(error.servedBy, 'a');
    assert.equal(error.provider, 'openai');
    assert.equal(error.model, 'gpt-a');
    assert.deepEqual(error.progress, { contentParts: 2, textChars: 9, reasoningChars: 0, toolArgumentChars: 0 });
    assert.equal(error.partialUsage.outputTokens, 3); // ceil(9 / 4), estimated
    assert.equal(error.partialUsage.inputTokens, 4); // ceil(15 / 4)
    assert.equal(error.usageEstimated, true);
    assert.equal(p.b.callCount, 0, 'no failover after commit');
  });

  test('a stall after content ends with stream_interrupted (cause: stall timeout), never a silent end', async () => {
    const p = pair(streamThenStall(['Once'], { ignoreAbort: true }), { idleTimeoutMs: 40 });
    const { text, error } = await drainStream(p.stream());
    assert.equal(text, 'Once');
    assert.ok(error instanceof StreamInterruptedError);
    assert.ok(error.cause instanceof ConduitError && error.cause.code === 'stream_stall');
    assert.equal(p.a.returnCalls, 1);
  });

  test('a stream that ends without finish after content is stream_interrupted (missing finish detected)', async () => {
    const p = pair(streamWithoutFinish(['Once', ' upon']));
    const { text, error } = await drainStream(p.stream());
    assert.equal(text, 'Once upon');
    assert.ok(error instanceof StreamInterruptedError);
    assert.ok(error.cause instanceof ConduitError && error.cause.code === 'missing_finish');
    assert.equal(p.b.callCount, 0);
  });

  test('the interruption counts against the deployment’s circuit', async () => {
    const a = new ScriptedModel({ whenEmpty: streamThenFail(['x']) });
    const router = createRouter({ name: 'r', strategy: 'ordered', breaker: { failureThreshold: 2 }, deployments: [{ id: 'a', model: a }] });
    await drainStream(router.stream(request));
    await drainStream(router.stream(request));
    assert.equal(router.status()[0]!.circuit!.state, 'open');
  });

  test('a supplied tokenizer counts partial usage exactly', async () => {
    const a = new ScriptedModel({ script: [streamThenFail(['ab', 'cd'])] });
    const router = createRouter({ name: 'r', strategy: 'ordered', deployments: [{ id: 'a', model: a }], countTokens: (t) => t.length });
    const { error } = await drainStream(router.stream(request));
    assert.ok(error instanceof StreamInterruptedError);
    assert.equal(error.partialUsage.outputTokens, 4);
    assert.equal(error.usageEstimated, false);
  });
});

describe('stream bookkeeping', () => {
  test('tool calls and reasoning commit the stream and are passed through intact', async () => {
    const a = new ScriptedModel({ script: [toolCallReply([{ id: 'c1', name: 'lookup', arguments: '{"q":"x"}' }], { reasoning: 'think' })] });
    const router = createRouter({ name: 'r', strategy: 'ordered', deployments: [{ id: 'a', model: a }] });
    const { parts, error } = await drainStream(router.stream(request));
    assert.equal(error, undefined);
    assert.deepEqual(
      parts.map((p) => p.type),
      ['start', 'reasoning-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-delta', 'finish'],
    );
    const finish = parts.at(-1);
    assert.ok(finish?.type === 'finish' && finish.finishReason === 'tool_calls' && finish.toolCalls[0]!.arguments === '{"q":"x"}');
  });

  test('a caller that stops reading releases the deployment (in-flight back to 0, iterator returned)', async () => {
    const a = new ScriptedModel({ script: [reply('a long answer that goes on')] });
    const router = createRouter({ name: 'r', strategy: 'ordered', deployments: [{ id: 'a', model: a }] });
    const events: AttemptEvent[] = [];
    for await (const part of router.stream(request, { onAttempt: (e) => events.push(e) })) {
      if (part.type === 'text-delta') break;
    }
    assert.equal(router.status()[0]!.inFlight, 0);
    assert.equal(a.returnCalls, 1);
    assert.deepEqual(
      events.map((e) => e.outcome),
      ['cancelled'],
    );
    assert.equal(router.status()[0]!.circuit!.consecutiveFailures, 0);
  });

  test('a caller abort while waiting for the first chunk ends the stream with cancelled', async () => {
    const a = new ScriptedModel({ script: [hang({ ignoreAbort: true })] });
    const b = new ScriptedModel({ script: [reply('b')] });
    const router = createRouter({ name: 'r', strategy: 'ordered', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const { error } = await drainStream(router.stream(request, { signal: controller.signal }));
    assert.ok(error instanceof ConduitError && error.kind === 'cancelled');
    assert.equal(b.callCount, 0);
  });

  test('a nested layer’s StreamInterruptedError is passed up unchanged (not wrapped twice)', async () => {
    const inner = new ScriptedModel({ script: [streamThenFail(['hi'])] });
    const innerRouter = createRouter({ name: 'inner', strategy: 'ordered', deployments: [{ id: 'leaf', model: inner }] });
    const outer = createRouter({ name: 'outer', strategy: 'ordered', deployments: [{ id: 'inner-pool', model: innerRouter as LanguageModel }] });
    const { error } = await drainStream(outer.stream(request));
    assert.ok(error instanceof StreamInterruptedError);
    assert.equal(error.servedBy, 'leaf');
    assert.ok(!(error.cause instanceof StreamInterruptedError));
  });

  test('a deadline passing mid-stream interrupts it explicitly', async () => {
    const a = new ScriptedModel({ script: [streamThenStall(['tick'])] });
    const router = createRouter({ name: 'r', strategy: 'ordered', deployments: [{ id: 'a', model: a }] });
    const { text, error } = await drainStream(router.stream(request, { deadlineAt: Date.now() + 40 }));
    assert.equal(text, 'tick');
    assert.ok(error instanceof StreamInterruptedError);
    assert.ok(error.cause instanceof ConduitError && error.cause.code === 'deadline_exceeded');
  });
});
