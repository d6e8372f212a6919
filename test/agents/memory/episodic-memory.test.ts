import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import type { EmbeddingModel } from '../../../src/models/language-model.js';
import { createEpisodicMemory, DEFAULT_RECENCY_HALF_LIFE_MS } from '../../../src/agents/memory/episodic-memory.js';
import { createModelImportanceRater, heuristicImportance } from '../../../src/agents/memory/importance.js';
import { createInMemoryRecordStore } from '../../../src/agents/memory/in-memory-record-store.js';
import { reply, ScriptedModel } from '../../support/scripted-model.js';

/** Embeds by topic word, so relevance is exact and known: texts about the same topic have cosine 1. */
const TOPICS = ['billing', 'weather', 'deploy'];
const topicEmbedder: EmbeddingModel = {
  provider: 'test',
  modelId: 'topics',
  dimensions: TOPICS.length,
  async embed(inputs) {
    return { embeddings: inputs.map((t) => TOPICS.map((w) => (t.toLowerCase().includes(w) ? 1 : 0.001))), usage: { inputTokens: 0 }, model: 'topics', provider: 'test' };
  },
};

describe('episodic memory', () => {
  test('retrieval ranks by relevance × importance × recency', async () => {
    let now = 10 * DEFAULT_RECENCY_HALF_LIFE_MS;
    const memory = createEpisodicMemory({ store: createInMemoryRecordStore(), embedder: topicEmbedder, clock: { now: () => now } });
    await memory.record('u', 'billing run failed: card declined', { importance: 0.9 });
    const oldImportant = now;
    now += 2 * DEFAULT_RECENCY_HALF_LIFE_MS;
    await memory.record('u', 'billing invoice sent', { importance: 0.9 });
    await memory.record('u', 'billing page viewed', { importance: 0.2 });
    await memory.record('u', 'weather asked', { importance: 1 });
    const results = await memory.retrieve('u', 'billing problem', { k: 4 });
    assert.deepEqual(results.map((r) => r.record.content).slice(0, 3), ['billing invoice sent', 'billing run failed: card declined', 'billing page viewed']);
    const old = results.find((r) => r.record.createdAt === oldImportant)!;
    assert.ok(Math.abs(old.recency - 0.25) < 1e-9, `two half-lives → 0.25, got ${old.recency}`);
    for (const r of results) assert.ok(Math.abs(r.score - r.relevance * r.importance * r.recency) < 1e-12);
    // The irrelevant episode scores near zero despite its importance.
    assert.equal(results.at(-1)!.record.content, 'weather asked');
    assert.ok(results.at(-1)!.score < 0.01);
  });

  test('retrieving an episode refreshes its recency', async () => {
    let now = 0;
    const memory = createEpisodicMemory({ store: createInMemoryRecordStore(), embedder: topicEmbedder, clock: { now: () => now } });
    await memory.record('u', 'deploy of api', { importance: 0.5 });
    now = DEFAULT_RECENCY_HALF_LIFE_MS;
    assert.ok(Math.abs((await memory.retrieve('u', 'deploy'))[0]!.recency - 0.5) < 1e-9);
    assert.equal((await memory.retrieve('u', 'deploy'))[0]!.recency, 1);
  });

  test('importance comes from the heuristic when not given, or from a model rater', async () => {
    const heuristic = createEpisodicMemory({ store: createInMemoryRecordStore(), embedder: topicEmbedder });
    const important = await heuristic.record('u', 'My name is Ada, I prefer tea, and the billing deadline is Friday: remember that.');
    const trivial = await heuristic.record('u', 'hello there');
    assert.ok(important.importance >= 0.7, String(important.importance));
    assert.equal(trivial.importance, 0.1);
    assert.equal(heuristicImportance('ok thanks'), 0.1);

    const model = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o-mini', script: [reply('{"score":10,"reason":"a firm deadline"}'), reply('{"score":1,"reason":"small talk"}')] });
    const rated = createEpisodicMemory({ store: createInMemoryRecordStore(), embedder: topicEmbedder, rateImportance: createModelImportanceRater(model) });
    assert.equal((await rated.record('u', 'deploy must finish by Friday')).importance, 1);
    assert.equal((await rated.record('u', 'nice weather')).importance, 0);
    assert.equal(model.callCount, 2);
    assert.ok(JSON.stringify(model.calls[0]!.request.messages).includes('deploy must finish by Friday'));
  });

  test('an importance outside [0, 1] is refused and nothing is stored', async () => {
    const store = createInMemoryRecordStore();
    const memory = createEpisodicMemory({ store, embedder: topicEmbedder });
    await assert.rejects(memory.record('u', 'x', { importance: 1.5 }), (e: unknown) => e instanceof ConduitError && e.kind === 'invalid_request');
    assert.deepEqual(await store.list('episode', 'u'), []);
  });
});
