/**
 * Semantic cache with the real embedded model (Universal Sentence Encoder lite): paraphrases hit
 * within one scope; any difference of context (system prompt, tools, conversation, tenant) misses.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSemanticCache, type SemanticCacheOptions } from '../../src/cache/semantic/semantic-cache.js';
import { exactCacheMiddleware } from '../../src/cache/exact-cache-middleware.js';
import { MemoryCacheStore } from '../../src/cache/stores/memory-lru-store.js';
import { CacheStatsCollector } from '../../src/cache/cache-stats.js';
import { ConduitError } from '../../src/core/errors.js';
import type { Message } from '../../src/core/messages.js';
import type { CacheOutcomeEvent, EmbeddingModel, ModelRequest } from '../../src/models/language-model.js';
import { wrapLanguageModel } from '../../src/models/wrap-language-model.js';
import { createDefaultEmbeddingModel } from '../../src/models/embeddings/default-embedding-model.js';
import { collectStream, reply, ScriptedModel } from '../support/scripted-model.js';

const embeddingModel = createDefaultEmbeddingModel();

function setup(extra: Partial<SemanticCacheOptions> = {}) {
  let t = 1_700_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const stats = new CacheStatsCollector();
  const cache = createSemanticCache({ embeddingModel, stats, clock, ...extra });
  const inner = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o-mini' });
  let n = 0;
  inner.setWhenEmpty(reply('fresh answer', { costUsd: 0.001 }));
  const model = wrapLanguageModel(inner, cache);
  const next = (text: string) => inner.enqueue(reply(text, { costUsd: 0.004, usage: { inputTokens: 20, outputTokens: 8 } }));
  return { cache, inner, model, stats, clock, next, counter: () => ++n };
}

const SYSTEM: Message = { role: 'system', content: 'You are the support assistant for Acme.' };
const ask = (text: string, extra: Partial<ModelRequest> = {}, history: Message[] = []): ModelRequest => ({ messages: [SYSTEM, ...history, { role: 'user', content: text }], ...extra });

describe('semantic cache (embedded model)', () => {
  test('a paraphrase in the same scope is served from the cache, with its similarity', async () => {
    const { model, inner, next, stats } = setup();
    next('Go to Settings → Security → Reset password.');
    await model.generate(ask('How do I reset my password?'));
    const events: CacheOutcomeEvent[] = [];
    const hit = await model.generate(ask('How can I reset my password?'), { cache: { onOutcome: (e) => events.push(e) } });
    assert.equal(inner.callCount, 1);
    assert.equal(hit.text, 'Go to Settings → Security → Reset password.');
    assert.equal(hit.cache?.outcome, 'semantic-hit');
    assert.ok(hit.cache!.similarity! >= 0.95 && hit.cache!.similarity! <= 1.0001, String(hit.cache?.similarity));
    assert.equal(hit.costUsd, 0);
    assert.equal(events[0]?.outcome, 'semantic-hit');
    assert.equal(events[0]?.savedUsd, 0.004);
    const s = stats.snapshot();
    assert.equal(s.semantic.hits, 1);
    assert.equal(s.semantic.misses, 1);
    assert.equal(s.savedUsd, 0.004);
  });

  test('an unrelated question and a question with different numbers miss', async () => {
    const { model, inner, next } = setup();
    next('password answer');
    await model.generate(ask('How do I reset my password?'));
    next('router answer');
    assert.equal((await model.generate(ask('How do I reset my router?'))).text, 'router answer');
    next('10 USD is about 9 EUR');
    await model.generate(ask('Convert 10 USD to EUR'));
    next('100 USD is about 92 EUR');
    assert.equal((await model.generate(ask('Convert 100 USD to EUR'))).text, '100 USD is about 92 EUR');
    assert.equal(inner.callCount, 4);
  });

  test('different system prompt, tool set, prior turns or tenant: no hit', async () => {
    const { model, inner, next } = setup();
    next('original');
    await model.generate(ask('How do I reset my password?'), { cache: { scope: 'tenant-a' } });
    const q = 'How can I reset my password?';
    const variants: [string, ModelRequest, string][] = [
      ['system prompt', { messages: [{ role: 'system', content: 'You are a pirate.' }, { role: 'user', content: q }] }, 'tenant-a'],
      ['tool set', ask(q, { tools: [{ name: 'reset_password', parameters: { type: 'object' } }] }), 'tenant-a'],
      ['prior turns', ask(q, {}, [{ role: 'user', content: 'I use the mobile app.' }, { role: 'assistant', content: 'Noted.' }]), 'tenant-a'],
      ['tenant', ask(q), 'tenant-b'],
    ];
    for (const [what, request, scope] of variants) {
      next(`fresh for ${what}`);
      const result = await model.generate(request, { cache: { scope } });
      assert.equal(result.text, `fresh for ${what}`, what);
      assert.equal(result.cache, undefined, what);
    }
    assert.equal(inner.callCount, 1 + variants.length);
    // Control: the same paraphrase in the original context does hit.
    assert.equal((await model.generate(ask(q), { cache: { scope: 'tenant-a' } })).text, 'original');
  });

  test('two conversations at the same position but with different history never share answers', async () => {
    const { model, next } = setup();
    const historyA: Message[] = [{ role: 'user', content: 'My order #1 is late.' }, { role: 'assistant', content: 'Sorry about order #1.' }];
    const historyB: Message[] = [{ role: 'user', content: 'I want to cancel my plan.' }, { role: 'assistant', content: 'I can help with that.' }];
    next('answer in conversation A');
    await model.generate(ask('What should I do next?', {}, historyA));
    next('answer in conversation B');
    assert.equal((await model.generate(ask('What should I do next?', {}, historyB))).text, 'answer in conversation B');
    assert.equal((await model.generate(ask('What should I do next?', {}, historyA))).text, 'answer in conversation A');
  });

  test('an agent step ending with a tool result is never looked up or stored', async () => {
    const { model, inner, stats } = setup();
    const request: ModelRequest = {
      messages: [
        SYSTEM,
        { role: 'user', content: 'What is the weather?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'weather', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'sunny' },
      ],
      tools: [{ name: 'weather', parameters: {} }],
    };
    await model.generate(request);
    await model.generate(request);
    assert.equal(inner.callCount, 2);
    assert.equal(stats.snapshot().semantic.skipped, 2);
  });

  test('streams: a paraphrase replays the cached answer as a stream', async () => {
    const { model, inner, next } = setup();
    next('Use the "Forgot password" link on the sign-in page.');
    const live = await collectStream(model.stream(ask('How do I reset my password?')));
    const replay = await collectStream(model.stream(ask('How can I reset my password?')));
    assert.equal(inner.callCount, 1);
    assert.equal(replay.text, live.text);
    const finish = replay.parts.at(-1);
    assert.ok(finish?.type === 'finish' && finish.cache?.outcome === 'semantic-hit');
  });

  test('shadow mode serves nothing but records would-be hits with both prompts and answers', async () => {
    const { model, inner, next, cache, stats } = setup({ mode: 'shadow' });
    next('answer one');
    await model.generate(ask('How do I reset my password?'));
    next('answer two');
    const second = await model.generate(ask('How can I reset my password?'));
    assert.equal(second.text, 'answer two');
    assert.equal(second.cache, undefined);
    next('answer three');
    await model.generate(ask('What are your opening hours?'));
    assert.equal(inner.callCount, 3);

    const report = cache.shadowReport();
    assert.equal(report.threshold, 0.95);
    assert.equal(report.records.length, 1);
    const record = report.records[0]!;
    assert.equal(record.cachedPrompt, 'How do I reset my password?');
    assert.equal(record.newPrompt, 'How can I reset my password?');
    assert.equal(record.cachedResponseText, 'answer one');
    assert.equal(record.freshResponseText, 'answer two');
    assert.ok(record.similarity >= 0.95);
    assert.equal(record.scope.priorTurns, 0);
    assert.equal(record.scope.model, 'gpt-4o-mini');
    // Lookups 2 and 3 had candidates; the histogram and threshold counts account for both.
    assert.equal(report.lookupsWithCandidate, 2);
    assert.equal(report.lookupsWithoutCandidate, 1);
    assert.equal(report.histogram.reduce((n, b) => n + b.count, 0), 2);
    const at = (t: number) => report.wouldBeHits.find((w) => w.threshold === t)!.count;
    assert.equal(at(0.95), 1);
    assert.ok(at(0.8) >= at(0.95));
    assert.equal(stats.snapshot().semantic.shadowWouldBeHits, 1);
    assert.equal(stats.snapshot().semantic.hits, 0);
  });

  test('entries expire after ttlMs; bypass and noStore are honoured', async () => {
    const { model, inner, next, clock } = setup({ ttlMs: 1000 });
    next('first');
    await model.generate(ask('How do I reset my password?'));
    clock.advance(1001);
    next('second');
    assert.equal((await model.generate(ask('How can I reset my password?'))).text, 'second');
    next('third');
    assert.equal((await model.generate(ask('How can I reset my password?'), { cache: { bypass: true } })).text, 'third');
    next('fourth');
    await model.generate(ask('How do I change my email address?'), { cache: { noStore: true } });
    next('fifth');
    // A paraphrase (similarity ~0.98) would hit had the no-store answer been kept.
    assert.equal((await model.generate(ask('How can I change my email address?'))).text, 'fifth');
    assert.equal(inner.callCount, 5);
    assert.equal((await model.generate(ask('How do I change my email address?'))).text, 'fifth');
    assert.equal(inner.callCount, 5);
  });

  test('an embedding failure fails open', async () => {
    const broken: EmbeddingModel = { provider: 'x', modelId: 'x', dimensions: 3, embed: () => Promise.reject(new Error('model gone')) };
    const errors: ConduitError[] = [];
    const { model, inner } = setup({ embeddingModel: broken, onError: (e) => errors.push(e) });
    assert.equal((await model.generate(ask('hello'))).text, 'fresh answer');
    assert.equal(inner.callCount, 1);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /model gone/);
  });

  test('stacked under the exact cache: exact hit first, then semantic; a semantic hit is not promoted', async () => {
    const stats = new CacheStatsCollector();
    const semantic = createSemanticCache({ embeddingModel, stats });
    const inner = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o-mini' });
    const model = wrapLanguageModel(inner, [exactCacheMiddleware({ store: new MemoryCacheStore(), stats }), semantic]);
    inner.enqueue(reply('the answer', { costUsd: 0.01 }));
    const seen: string[][] = [];
    const run = async (text: string) => {
      const events: string[] = [];
      const r = await model.generate(ask(text), { cache: { onOutcome: (e) => events.push(`${e.layer}:${e.outcome}`) } });
      seen.push(events);
      return r;
    };
    await run('How do I reset my password?');
    assert.equal((await run('How do I reset my password?')).cache?.outcome, 'hit');
    assert.equal((await run('How can I reset my password?')).cache?.outcome, 'semantic-hit');
    assert.equal((await run('How can I reset my password?')).cache?.outcome, 'semantic-hit'); // not promoted to exact
    assert.deepEqual(seen, [
      ['exact:miss', 'semantic:miss'],
      ['exact:hit'],
      ['exact:miss', 'semantic:semantic-hit'],
      ['exact:miss', 'semantic:semantic-hit'],
    ]);
    const s = stats.snapshot();
    assert.equal(inner.callCount, 1);
    assert.equal(s.hitRate, 3 / 4);
    assert.ok(Math.abs(s.savedUsd - 0.03) < 1e-12);
  });

  test('an invalid threshold is refused', () => {
    assert.throws(() => createSemanticCache({ embeddingModel, threshold: 1.5 }), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
  });
});
