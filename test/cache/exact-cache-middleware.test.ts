import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exactCacheMiddleware } from '../../src/cache/exact-cache-middleware.js';
import { MemoryCacheStore } from '../../src/cache/stores/memory-lru-store.js';
import { CacheStatsCollector } from '../../src/cache/cache-stats.js';
import type { CacheStore, NowClock } from '../../src/cache/cache-store.js';
import { ConduitError } from '../../src/core/errors.js';
import type { CacheOutcomeEvent, CallOptions, ModelRequest, StreamPart } from '../../src/models/language-model.js';
import { wrapLanguageModel } from '../../src/models/wrap-language-model.js';
import { collectStream, fail, reply, ScriptedModel, streamThenFail, streamWithoutFinish, toolCallReply } from '../support/scripted-model.js';

function setup(extra: { ttlMs?: number; maxTemperature?: number; store?: CacheStore } = {}) {
  let t = 1_700_000_000_000;
  const clock: NowClock & { advance(ms: number): void } = { now: () => t, advance: (ms) => void (t += ms) };
  const store = extra.store ?? new MemoryCacheStore({ clock });
  const stats = new CacheStatsCollector();
  const errors: ConduitError[] = [];
  const inner = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o-mini' });
  const model = wrapLanguageModel(inner, exactCacheMiddleware({ store, stats, clock, ttlMs: extra.ttlMs ?? 60_000, maxTemperature: extra.maxTemperature, onError: (e) => errors.push(e) }));
  return { inner, model, stats, clock, store, errors };
}

const ask = (text: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({ messages: [{ role: 'user', content: text }], ...extra });

function outcomes(extra: CallOptions['cache'] = {}): { options: CallOptions; events: CacheOutcomeEvent[] } {
  const events: CacheOutcomeEvent[] = [];
  return { events, options: { cache: { ...extra, onOutcome: (e) => events.push(e) } } };
}

describe('exact cache middleware', () => {
  test('generate: miss calls the model and stores; the same request then hits without calling it', async () => {
    const { inner, model, stats } = setup();
    inner.enqueue(reply('Paris.', { costUsd: 0.002, usage: { inputTokens: 12, outputTokens: 3 } }));
    const first = outcomes();
    const a = await model.generate(ask('Capital of France?'), first.options);
    assert.equal(a.text, 'Paris.');
    assert.equal(a.cache, undefined);
    assert.deepEqual(first.events, [{ layer: 'exact', outcome: 'miss' }]);

    const second = outcomes();
    const b = await model.generate(ask('Capital of France?'), second.options);
    assert.equal(inner.callCount, 1);
    assert.equal(b.text, 'Paris.');
    assert.equal(b.costUsd, 0);
    assert.deepEqual(b.usage, a.usage); // original usage kept for reporting
    assert.equal(b.cache?.outcome, 'hit');
    assert.equal(b.cache?.savedUsd, 0.002);
    assert.equal(b.id, a.id);
    assert.equal(second.events[0]?.outcome, 'hit');
    assert.equal(second.events[0]?.savedUsd, 0.002);

    const s = stats.snapshot();
    assert.equal(s.exact.hits, 1);
    assert.equal(s.exact.misses, 1);
    assert.equal(s.exact.writes, 1);
    assert.equal(s.hitRate, 0.5);
    assert.equal(s.savedUsd, 0.002);
    assert.equal(s.savedInputTokens, 12);
    assert.equal(s.savedOutputTokens, 3);
  });

  test('a different request (temperature, scope) misses', async () => {
    const { inner, model } = setup();
    inner.setWhenEmpty(reply('x'));
    await model.generate(ask('q', { temperature: 0 }), { cache: { scope: 'a' } });
    await model.generate(ask('q', { temperature: 0.5 }), { cache: { scope: 'a' } });
    await model.generate(ask('q', { temperature: 0 }), { cache: { scope: 'b' } });
    assert.equal(inner.callCount, 3);
    await model.generate(ask('q', { temperature: 0 }), { cache: { scope: 'a' } });
    assert.equal(inner.callCount, 3);
  });

  test('a custom scope function isolates tenants', async () => {
    const store = new MemoryCacheStore();
    const inner = new ScriptedModel();
    inner.setWhenEmpty(reply('x'));
    const model = wrapLanguageModel(inner, exactCacheMiddleware({ store, stats: new CacheStatsCollector(), scope: (o) => o.headers?.['x-tenant'] ?? 'none' }));
    await model.generate(ask('q'), { headers: { 'x-tenant': 't1' } });
    await model.generate(ask('q'), { headers: { 'x-tenant': 't2' } });
    await model.generate(ask('q'), { headers: { 'x-tenant': 't1' } });
    assert.equal(inner.callCount, 2);
  });

  test('stream miss records the assembled stream; a stream hit replays the same text and tool calls', async () => {
    const { inner, model } = setup();
    const calls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
      { id: 'call_2', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
    ];
    inner.enqueue(toolCallReply(calls, { text: 'Let me check — ☀️ weather and time.', reasoning: 'need tools', costUsd: 0.01 }));
    const req = ask('Weather and time in Paris?', { tools: [{ name: 'get_weather', parameters: {} }, { name: 'get_time', parameters: {} }] });

    const live = outcomes();
    const original = await collectStream(model.stream(req, live.options));
    assert.deepEqual(live.events.map((e) => e.outcome), ['miss']);

    const again = outcomes();
    const iterator = model.stream(req, again.options)[Symbol.asyncIterator]();
    const firstPart = await iterator.next();
    // The outcome is known before the first part, so a gateway can still set a header.
    assert.deepEqual(again.events.map((e) => e.outcome), ['hit']);
    const rest: StreamPart[] = [firstPart.value as StreamPart];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    assert.equal(inner.callCount, 1);

    assert.equal(textOf(rest), original.text);
    assert.equal(textOf(rest), 'Let me check — ☀️ weather and time.');
    assert.deepEqual(assembleToolCalls(rest), calls);
    assert.deepEqual(assembleToolCalls(original.parts), calls);
    const reasoning = rest.filter((p) => p.type === 'reasoning-delta').map((p) => (p.type === 'reasoning-delta' ? p.delta : '')).join('');
    assert.equal(reasoning, 'need tools');
    const finish = rest.at(-1);
    assert.equal(finish?.type, 'finish');
    if (finish?.type !== 'finish') return;
    assert.equal(finish.finishReason, 'tool_calls');
    assert.deepEqual(finish.toolCalls, calls);
    assert.equal(finish.costUsd, 0);
    assert.equal(finish.cache?.outcome, 'hit');
    assert.equal(finish.cache?.savedUsd, 0.01);
    assert.equal(rest[0]?.type, 'start');
  });

  test('generate and stream share entries: a generated answer is replayed to a streaming caller', async () => {
    const { inner, model } = setup();
    inner.enqueue(reply('shared answer'));
    await model.generate(ask('q'));
    const { text } = await collectStream(model.stream(ask('q')));
    assert.equal(text, 'shared answer');
    assert.equal(inner.callCount, 1);
  });

  test('streams that fail or end without finish are not recorded', async () => {
    const { inner, model } = setup();
    inner.enqueue(streamThenFail(['par', 'tial']), streamWithoutFinish(['abc']), reply('complete'));
    await assert.rejects(collectStream(model.stream(ask('q'))));
    await collectStream(model.stream(ask('q'))).catch(() => undefined);
    const { text } = await collectStream(model.stream(ask('q')));
    assert.equal(text, 'complete');
    assert.equal(inner.callCount, 3);
    assert.equal((await collectStream(model.stream(ask('q')))).text, 'complete');
    assert.equal(inner.callCount, 3);
  });

  test('an abandoned stream is not recorded', async () => {
    const { inner, model } = setup();
    inner.enqueue(reply('a long answer that the caller stops reading'), reply('fresh'));
    for await (const part of model.stream(ask('q'))) if (part.type === 'text-delta') break;
    assert.equal((await model.generate(ask('q'))).text, 'fresh');
    assert.equal(inner.callCount, 2);
  });

  test('errors and finishReason "error" are not cached', async () => {
    const { inner, model } = setup();
    inner.enqueue(fail('provider_unavailable'), reply('bad', { finishReason: 'error' }), reply('good'));
    await assert.rejects(model.generate(ask('q')), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable');
    assert.equal((await model.generate(ask('q'))).text, 'bad');
    assert.equal((await model.generate(ask('q'))).text, 'good');
    assert.equal((await model.generate(ask('q'))).text, 'good');
    assert.equal(inner.callCount, 3);
  });

  test('bypass (no-cache) skips the lookup but refreshes the entry; noStore (no-store) skips the write', async () => {
    const { inner, model, stats } = setup();
    inner.enqueue(reply('v1'), reply('v2'), reply('v3'));
    await model.generate(ask('q'));
    const bypass = outcomes({ bypass: true });
    assert.equal((await model.generate(ask('q'), bypass.options)).text, 'v2');
    assert.deepEqual(bypass.events, [{ layer: 'exact', outcome: 'bypass', reason: 'no-cache' }]);
    assert.equal((await model.generate(ask('q'))).text, 'v2'); // refreshed by the bypassing call

    assert.equal((await model.generate(ask('other'), { cache: { noStore: true } })).text, 'v3');
    inner.enqueue(reply('v4'));
    assert.equal((await model.generate(ask('other'))).text, 'v4'); // nothing was stored
    assert.equal(stats.snapshot().exact.bypasses, 1);
  });

  test('entries expire after ttlMs (injectable clock)', async () => {
    const { inner, model, clock } = setup({ ttlMs: 1000 });
    inner.enqueue(reply('old'), reply('new'));
    await model.generate(ask('q'));
    clock.advance(999);
    const hit = await model.generate(ask('q'));
    assert.equal(hit.text, 'old');
    assert.equal(hit.cache?.ageMs, 999);
    clock.advance(2);
    assert.equal((await model.generate(ask('q'))).text, 'new');
    assert.equal(inner.callCount, 2);
  });

  test('maxTemperature leaves more random requests uncached and reports bypass', async () => {
    const { inner, model } = setup({ maxTemperature: 0.5 });
    inner.setWhenEmpty(reply('x'));
    const o = outcomes();
    await model.generate(ask('q', { temperature: 0.9 }), o.options);
    await model.generate(ask('q', { temperature: 0.9 }));
    assert.equal(inner.callCount, 2);
    assert.deepEqual(o.events, [{ layer: 'exact', outcome: 'bypass', reason: 'temperature' }]);
    await model.generate(ask('q', { temperature: 0.5 }));
    await model.generate(ask('q', { temperature: 0.5 }));
    assert.equal(inner.callCount, 3);
  });

  test('a failing store fails open: the model answers and the error is reported', async () => {
    const broken: CacheStore = {
      kind: 'broken',
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
      delete: () => Promise.resolve(false),
      stats: () => Promise.resolve({ kind: 'broken', entries: 0, bytes: 0 }),
      clear: () => Promise.resolve(),
    };
    const { inner, model, errors, stats } = setup({ store: broken });
    inner.enqueue(reply('still works'));
    assert.equal((await model.generate(ask('q'))).text, 'still works');
    assert.equal(errors.length, 2);
    assert.ok(errors.every((e) => e.kind === 'internal' && /connection refused/.test(e.message)));
    assert.equal(stats.snapshot().errors, 2);
  });

  test('a corrupt stored value is treated as a miss', async () => {
    const memory = new MemoryCacheStore();
    const keys: string[] = [];
    const recording: CacheStore = {
      kind: 'recording',
      get: (k) => memory.get(k),
      set: (k, v, ttl) => {
        keys.push(k);
        return memory.set(k, v, ttl);
      },
      delete: (k) => memory.delete(k),
      stats: () => memory.stats(),
      clear: () => memory.clear(),
    };
    const { inner, model } = setup({ store: recording });
    inner.enqueue(reply('one'), reply('two'));
    await model.generate(ask('q'));
    assert.equal(keys.length, 1);
    await memory.set(keys[0]!, '{not json', 60_000);
    assert.equal((await model.generate(ask('q'))).text, 'two');
  });
});

function textOf(parts: readonly StreamPart[]): string {
  return parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
}

function assembleToolCalls(parts: readonly StreamPart[]): { id: string; name: string; arguments: string }[] {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const p of parts) {
    if (p.type === 'tool-call-start') calls[p.index] = { id: p.id, name: p.name, arguments: '' };
    if (p.type === 'tool-call-delta') calls[p.index]!.arguments += p.argumentsDelta;
  }
  return calls;
}
