/** Long-term semantic memory with the embedded sentence encoder (real embeddings, no network). */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createSemanticMemory } from '../../../src/agents/memory/semantic-memory.js';
import { createInMemoryRecordStore } from '../../../src/agents/memory/in-memory-record-store.js';

describe('semantic memory', () => {
  before(async () => loadDefaultEmbeddingModel());

  const facts = ['Ada prefers tea over coffee.', 'The release deadline is Friday.', 'The office is in London.'];

  test('recalls the fact most similar to the query, best first', async () => {
    const memory = createSemanticMemory({ store: createInMemoryRecordStore(), embedder: createDefaultEmbeddingModel() });
    for (const f of facts) await memory.remember('ada', f);
    const drink = await memory.recall('ada', 'What does Ada like to drink?', { k: 2 });
    assert.equal(drink[0]!.record.content, 'Ada prefers tea over coffee.');
    assert.ok(drink[0]!.similarity > drink[1]!.similarity);
    assert.equal((await memory.recall('ada', 'When is the release due?', { k: 1 }))[0]!.record.content, 'The release deadline is Friday.');
    assert.equal((await memory.recall('ada', 'Where is the office located?', { k: 1 }))[0]!.record.content, 'The office is in London.');
    // minSimilarity filters out unrelated facts.
    const strict = await memory.recall('ada', 'What does Ada like to drink?', { k: 3, minSimilarity: 0.5 });
    assert.deepEqual(strict.map((r) => r.record.content), ['Ada prefers tea over coffee.']);
  });

  test('near-duplicates are stored once; distinct facts are not merged', async () => {
    const store = createInMemoryRecordStore();
    let now = 1000;
    const memory = createSemanticMemory({ store, embedder: createDefaultEmbeddingModel(), clock: { now: () => now } });
    const first = await memory.remember('ada', 'Ada prefers tea over coffee.');
    now = 2000;
    const again = await memory.remember('ada', 'Ada prefers tea to coffee.');
    assert.equal(again.duplicate, true);
    assert.equal(again.record.id, first.record.id);
    assert.ok((again.similarity ?? 0) >= 0.9);
    assert.equal((await store.get(first.record.id))?.lastAccessedAt, 2000);
    const other = await memory.remember('ada', 'The release deadline is Friday.');
    assert.equal(other.duplicate, false);
    assert.equal((await store.list('fact', 'ada')).length, 2);
  });

  test('scopes are isolated, and empty facts are refused', async () => {
    const memory = createSemanticMemory({ store: createInMemoryRecordStore(), embedder: createDefaultEmbeddingModel() });
    await memory.remember('ada', 'Ada prefers tea over coffee.');
    assert.deepEqual(await memory.recall('bob', 'What does Ada like to drink?'), []);
    // The same text in another scope is not a duplicate.
    assert.equal((await memory.remember('bob', 'Ada prefers tea over coffee.')).duplicate, false);
    await assert.rejects(memory.remember('ada', '   '), (e: unknown) => e instanceof ConduitError && e.code === 'empty_memory');
  });
});
