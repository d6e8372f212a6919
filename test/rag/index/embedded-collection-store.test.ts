/**
 * The persisted embedded adapter: the conformance suite, then what only persistence adds —
 * surviving a restart, replaying the journal past an ANN snapshot, recovering a torn write, and
 * compacting dead rows — plus the approximate path's recall against exact search.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedCollectionStore, type EmbeddedChunkIndex, type EmbeddedCollectionStoreOptions } from '../../../src/rag/index/index.js';
import type { CollectionStore, IndexedChunk } from '../../../src/rag/types.js';
import { ConduitError } from '../../../src/core/errors.js';
import { chunk, describeChunkIndexConformance, vec } from './chunk-index-conformance.js';
import { clusteredVectors } from './clustered-vectors.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-rag-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describeChunkIndexConformance('embedded (persisted)', async () => {
  const store = await openEmbeddedCollectionStore({ dir: tempDir() });
  return { store, dispose: () => store.close() };
});

async function reopen(store: CollectionStore, options: EmbeddedCollectionStoreOptions): Promise<CollectionStore> {
  await store.close();
  return openEmbeddedCollectionStore(options);
}

describe('embedded store persistence', () => {
  test('collections, chunks, vectors and keyword postings survive a restart', async () => {
    const options = { dir: tempDir() };
    let store = await openEmbeddedCollectionStore(options);
    await store.create('kept', { description: 'persisted' });
    await store.create('gone');
    const index = await store.open('kept');
    await index.upsert([
      chunk('a', 0, 'The event loop runs timers first.', vec({ 0: 1 }), { section: 'timers' }),
      chunk('a', 1, 'Then it polls for I/O.', vec({ 1: 1 })),
      chunk('b', 0, 'Streams apply backpressure.', vec({ 2: 1 }), {}, { kind: 'summary', id: 'b#s' }),
    ]);
    await index.upsert([chunk('a', 1, 'Then it polls for I/O events, edited.', vec({ 3: 1 }))]);
    await index.deleteDocument('b');
    await store.drop('gone');
    store = await reopen(store, options);
    assert.deepEqual(
      (await store.list()).map((c) => [c.name, c.description, c.documents, c.chunks, c.dimensions]),
      [['kept', 'persisted', 1, 2, 8]],
    );
    const again = await store.open('kept');
    assert.deepEqual(await again.stats(), { documents: 1, chunks: 2 });
    assert.equal((await again.getChunks(['a#1']))[0]?.text, 'Then it polls for I/O events, edited.');
    assert.deepEqual((await again.getChunks(['a#0']))[0]?.metadata, { section: 'timers' });
    assert.equal((await again.vectorSearch({ embedding: vec({ 3: 1 }), topK: 1 }))[0]?.chunk.id, 'a#1');
    assert.equal((await again.keywordSearch({ text: 'timers', topK: 1 }))[0]?.chunk.id, 'a#0');
    assert.deepEqual(await again.keywordSearch({ text: 'backpressure', topK: 5, kinds: ['summary'] }), []);
    // Writes after a restart append to the same files.
    await again.upsert([chunk('c', 0, 'Workers share memory.', vec({ 4: 1 }))]);
    store = await reopen(store, options);
    assert.deepEqual(await (await store.open('kept')).stats(), { documents: 2, chunks: 3 });
    await store.close();
  });

  test('one store per directory: a second open fails until the first closes', async () => {
    const options = { dir: tempDir() };
    const first = await openEmbeddedCollectionStore(options);
    await assert.rejects(openEmbeddedCollectionStore(options), (err: unknown) => err instanceof ConduitError && err.code === 'rag_store_locked');
    await first.close();
    const second = await openEmbeddedCollectionStore(options);
    await second.close();
    // A lock left behind by a dead process is taken over.
    writeFileSync(join(options.dir, 'LOCK'), '999999999');
    await (await openEmbeddedCollectionStore(options)).close();
  });

  test('a torn last journal line (crash mid-write) is dropped and the rest loads', async () => {
    const options = { dir: tempDir() };
    let store = await openEmbeddedCollectionStore(options);
    await store.create('t');
    await (await store.open('t')).upsert([chunk('a', 0, 'complete row', vec({ 0: 1 }))]);
    await store.close();
    const journal = join(options.dir, 'collections', 't', 'chunks.jsonl');
    appendFileSync(journal, '{"op":"put","slot":1,"hash":"x","chunk":{"id":"a#1"');
    store = await openEmbeddedCollectionStore(options);
    const index = await store.open('t');
    assert.deepEqual(await index.stats(), { documents: 1, chunks: 1 });
    await index.upsert([chunk('a', 1, 'written after recovery', vec({ 1: 1 }))]);
    store = await reopen(store, options);
    assert.deepEqual(
      (await (await store.open('t')).getChunks(['a#0', 'a#1'])).map((c) => c.text),
      ['complete row', 'written after recovery'],
    );
    await store.close();
  });

  test('reopening compacts a collection whose dead rows outnumber live ones', async () => {
    const options = { dir: tempDir() };
    let store = await openEmbeddedCollectionStore(options);
    await store.create('churn');
    const index = await store.open('churn');
    const gen = clusteredVectors(8, 3, 4, 4);
    for (let round = 0; round < 3; round++) {
      await index.upsert(Array.from({ length: 600 }, (_, i) => chunk(`d${i}`, 0, `round ${round} text ${i}`, gen.sample())));
    }
    const vectorsFile = join(options.dir, 'collections', 'churn', 'vectors.f32');
    const before = statSync(vectorsFile).size;
    assert.equal(before, 1_800 * 8 * 4);
    store = await reopen(store, options);
    const compacted = await store.open('churn');
    assert.equal(statSync(vectorsFile).size, 600 * 8 * 4);
    assert.deepEqual(await compacted.stats(), { documents: 600, chunks: 600 });
    assert.equal((await compacted.getChunks(['d7#0']))[0]?.text, 'round 2 text 7');
    const texts = (await compacted.keywordSearch({ text: 'round', topK: 1_000 })).map((h) => h.chunk.text);
    assert.equal(texts.length, 600);
    assert.ok(texts.every((t) => t.startsWith('round 2 ')), 'only the latest version of each chunk is left');
    assert.ok(!existsSync(`${join(options.dir, 'collections', 'churn')}.old`));
    await store.close();
  });
});

describe('embedded approximate vector search', () => {
  const DIMS = 64;
  const N = 4_000;
  const gen = clusteredVectors(DIMS, 7);
  const rows: IndexedChunk[] = Array.from({ length: N }, (_, i) =>
    chunk(`doc${i % 500}`, Math.floor(i / 500), `text ${i}`, gen.sample(), { shard: i % 10 === 0 ? 'rare' : 'common', n: i }),
  );
  const queries = Array.from({ length: 50 }, () => gen.sample());
  const options = { dir: '', annThreshold: 1_000 };
  let store: CollectionStore;
  let index: EmbeddedChunkIndex;

  before(async () => {
    options.dir = tempDir();
    store = await openEmbeddedCollectionStore(options);
    await store.create('ann');
    index = (await store.open('ann')) as EmbeddedChunkIndex;
    for (let i = 0; i < N; i += 1_000) await index.upsert(rows.slice(i, i + 1_000));
  });

  async function recallAt10(idx: EmbeddedChunkIndex, filter?: Record<string, string>): Promise<number> {
    let found = 0;
    let total = 0;
    for (const q of queries) {
      const exact = await idx.exactVectorSearch({ embedding: q, topK: 10, ...(filter ? { filter } : {}) });
      const approx = await idx.vectorSearch({ embedding: q, topK: 10, ...(filter ? { filter } : {}) });
      const want = new Set(exact.map((h) => h.chunk.id));
      found += approx.filter((h) => want.has(h.chunk.id)).length;
      total += want.size;
      // Re-ranked exactly: every returned score is the true cosine, best first.
      for (let i = 1; i < approx.length; i++) assert.ok(approx[i - 1]!.score >= approx[i]!.score);
      if (filter) assert.ok(approx.every((h) => h.chunk.metadata['shard'] === filter['shard']));
    }
    return found / total;
  }

  test('recall@10 against exact search is at least 0.95 (unfiltered and with a selective filter)', async () => {
    const recall = await recallAt10(index);
    assert.ok(index.usesAnn, 'past the threshold the ANN graph is in use');
    assert.ok(recall >= 0.95, `recall@10 ${recall}`);
    const filtered = await recallAt10(index, { shard: 'rare' });
    assert.ok(filtered >= 0.95, `filtered recall@10 ${filtered}`);
  });

  test('a rare kind (summaries among thousands of chunks) is still found, exactly ranked', async () => {
    const summaries = Array.from({ length: 5 }, (_, i) => chunk(`sum${i}`, 0, `summary ${i}`, gen.sample(), {}, { kind: 'summary', id: `sum${i}#summary` }));
    await index.upsert(summaries);
    const q = summaries[2]!.embedding;
    const hits = await index.vectorSearch({ embedding: q, topK: 3, kinds: ['summary'] });
    const exact = await index.exactVectorSearch({ embedding: q, topK: 3, kinds: ['summary'] });
    assert.equal(hits[0]?.chunk.id, 'sum2#summary');
    assert.deepEqual(
      hits.map((h) => h.chunk.id),
      exact.map((h) => h.chunk.id),
    );
    for (const s of summaries) await index.deleteDocument(s.documentId);
  });

  test('the graph is snapshotted, reloaded on open and patched with later journal entries', async () => {
    // Changes after the snapshot: replace 10 chunks, delete a document.
    await index.upsert(rows.slice(0, 10).map((r) => ({ ...r, text: `${r.text} replaced`, embedding: gen.sample() })));
    assert.equal(await index.deleteDocument('doc499'), 8);
    const probe = rows[499]!; // a chunk of doc499, deleted above
    store = await reopen(store, options);
    const reopened = (await store.open('ann')) as EmbeddedChunkIndex;
    assert.ok(reopened.usesAnn, 'the snapshot was loaded, not rebuilt lazily');
    assert.ok(existsSync(join(options.dir, 'collections', 'ann', 'ann.usearch')));
    assert.ok(JSON.parse(readFileSync(join(options.dir, 'collections', 'ann', 'ann.json'), 'utf8')).nextSlot > 0);
    assert.ok((await recallAt10(reopened)) >= 0.95);
    const ids = (await reopened.vectorSearch({ embedding: probe.embedding, topK: 50 })).map((h) => h.chunk.id);
    assert.ok(!ids.some((id) => id.startsWith('doc499#')), 'deleted chunks never come back from the graph');
    await store.close();
  });
});
