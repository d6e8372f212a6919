import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createRecursiveChunker, createParentChildChunker, createTokenWindowChunker, type Chunker } from '../../../src/rag/chunkers/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { contentHash, deleteDocument, formatIngestSummary, ingestDocuments, type IngestPhase } from '../../../src/rag/ingest/index.js';
import type { ChunkIndex, IndexedChunk, RagDocument } from '../../../src/rag/types.js';
import { createHashingEmbedder, type RecordingEmbedder } from './test-embedder.js';

/** The real embedded index, with its writes counted. */
interface RecordedIndex extends ChunkIndex {
  upserts: IndexedChunk[][];
  deletes: string[];
}

async function openIndex(): Promise<RecordedIndex> {
  const store = createMemoryCollectionStore();
  await store.create('test');
  const inner = await store.open('test');
  const upserts: IndexedChunk[][] = [];
  const deletes: string[] = [];
  return {
    collection: inner.collection,
    upserts,
    deletes,
    upsert: (chunks) => {
      upserts.push([...chunks]);
      return inner.upsert(chunks);
    },
    deleteDocument: (id) => {
      deletes.push(id);
      return inner.deleteDocument(id);
    },
    documentHashes: (id) => inner.documentHashes(id),
    vectorSearch: (q) => inner.vectorSearch(q),
    keywordSearch: (q) => inner.keywordSearch(q),
    getChunks: (ids) => inner.getChunks(ids),
    getEmbeddings: (ids) => inner.getEmbeddings(ids),
    stats: () => inner.stats(),
  };
}

/** Paragraph-per-chunk documents: a small limit makes every paragraph its own chunk. */
const chunker: Chunker = createRecursiveChunker({ maxTokens: 24 });

function paragraphs(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix} paragraph number ${i} talks about topic ${prefix}${i} in some detail.`).join('\n\n');
}

function docs(): RagDocument[] {
  return [
    { id: 'alpha.md', text: paragraphs('alpha', 5), metadata: { source: 'alpha.md', team: 'red' } },
    { id: 'beta.md', text: paragraphs('beta', 3), metadata: { source: 'beta.md', team: 'blue' } },
  ];
}

describe('ingestDocuments', () => {
  let index: RecordedIndex;
  let embedder: RecordingEmbedder;
  beforeEach(async () => {
    index = await openIndex();
    embedder = createHashingEmbedder();
  });

  test('first ingestion embeds every chunk in batches and stores unit vectors with content hashes', async () => {
    const summary = await ingestDocuments({ index, embedder, chunker, documents: docs(), batchSize: 3 });
    assert.equal(summary.documents, 2);
    assert.equal(summary.chunks, 8);
    assert.equal(summary.embedded, 8);
    assert.equal(summary.written, 8);
    assert.equal(summary.updated, 2);
    assert.equal(summary.skipped, 0);
    assert.deepEqual(embedder.calls.map((c) => c.length), [3, 3, 2], 'batch size respected');
    assert.deepEqual(await index.stats(), { documents: 2, chunks: 8 });
    const hashes = await index.documentHashes('alpha.md');
    const [first] = await index.getChunks(['alpha.md#0']);
    assert.ok(first);
    assert.equal(hashes.get('alpha.md#0'), contentHash(first.text));
    assert.equal(first.metadata.team, 'red');
    const vector = (await index.getEmbeddings(['alpha.md#0'])).get('alpha.md#0');
    assert.ok(vector);
    const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
    assert.ok(Math.abs(norm - 1) < 1e-5, `unit length, got ${norm}`);
    const [hit] = await index.vectorSearch({ embedding: vector, topK: 1 });
    assert.equal(hit?.chunk.id, 'alpha.md#0');
  });

  test('re-ingesting unchanged documents does no embedding and no write', async () => {
    await ingestDocuments({ index, embedder, chunker, documents: docs() });
    const callsBefore = embedder.calls.length;
    const writesBefore = index.upserts.length;
    const summary = await ingestDocuments({ index, embedder, chunker, documents: docs() });
    assert.equal(embedder.calls.length, callsBefore, 'no embedding call');
    assert.equal(index.upserts.length, writesBefore, 'no upsert');
    assert.deepEqual(index.deletes, [], 'no delete');
    assert.equal(summary.skipped, 2);
    assert.equal(summary.embedded, 0);
    assert.equal(summary.written, 0);
    assert.match(formatIngestSummary(summary), /^Ingested 2 documents \(0 updated, 2 unchanged\) into 8 chunks \(0 embedded, 0 reused\) in \d+\.\d s/);
  });

  test("a changed document replaces its chunks: stale ids disappear, unchanged texts reuse stored embeddings", async () => {
    await ingestDocuments({ index, embedder, chunker, documents: docs() });
    embedder.calls.length = 0;
    const [alpha, beta] = docs();
    // Keep paragraphs 0–1, rewrite paragraph 2, drop 3–4: alpha goes from 5 chunks to 3.
    const parts = alpha!.text.split('\n\n');
    const changedAlpha: RagDocument = { ...alpha!, text: [parts[0], parts[1], 'A brand new closing paragraph about tides that replaces the old ending.'].join('\n\n') };
    const summary = await ingestDocuments({ index, embedder, chunker, documents: [changedAlpha, beta!] });
    assert.equal(summary.skipped, 1);
    assert.equal(summary.updated, 1);
    assert.equal(summary.embedded, 1, 'only the new paragraph is embedded');
    assert.deepEqual(embedder.calls, [['A brand new closing paragraph about tides that replaces the old ending.']]);
    assert.equal(summary.reused, 2);
    assert.equal(summary.deleted, 2);
    assert.deepEqual([...(await index.documentHashes('alpha.md')).keys()].sort(), ['alpha.md#0', 'alpha.md#1', 'alpha.md#2']);
    assert.deepEqual(await index.getChunks(['alpha.md#3', 'alpha.md#4']), [], 'old chunk ids are gone');
    assert.equal((await index.getChunks(['alpha.md#2']))[0]?.text, 'A brand new closing paragraph about tides that replaces the old ending.');
    assert.deepEqual(await index.stats(), { documents: 2, chunks: 6 });
    // The reused vectors are the stored ones (still the nearest neighbour of themselves).
    const v0 = (await index.getEmbeddings(['alpha.md#0'])).get('alpha.md#0');
    assert.equal((await index.vectorSearch({ embedding: v0!, topK: 1 }))[0]?.chunk.id, 'alpha.md#0');
  });

  test('a document that only grows is upserted without clearing it first', async () => {
    await ingestDocuments({ index, embedder, chunker, documents: docs() });
    const [alpha] = docs();
    const grown = { ...alpha!, text: `${alpha!.text}\n\nOne more paragraph at the very end of the alpha document, newly added.` };
    const summary = await ingestDocuments({ index, embedder, chunker, documents: [grown] });
    assert.deepEqual(index.deletes, []);
    assert.equal(summary.embedded, 1);
    assert.equal((await index.documentHashes('alpha.md')).size, 6);
  });

  test('a metadata-only change rewrites the chunks without embedding anything', async () => {
    await ingestDocuments({ index, embedder, chunker, documents: docs() });
    embedder.calls.length = 0;
    const [alpha, beta] = docs();
    const summary = await ingestDocuments({ index, embedder, chunker, documents: [{ ...alpha!, metadata: { ...alpha!.metadata, team: 'green' } }, beta!] });
    assert.equal(embedder.calls.length, 0);
    assert.equal(summary.updated, 1);
    assert.equal(summary.reused, 5);
    assert.equal((await index.getChunks(['alpha.md#3']))[0]?.metadata.team, 'green');
  });

  test('identical chunks are embedded once per run, across documents too', async () => {
    const shared = 'This exact paragraph appears word for word in several different documents.';
    const documents: RagDocument[] = [
      { id: 'a', text: `${shared}\n\nOnly document a has this paragraph, which is unique to it alone.\n\n${shared}`, metadata: {} },
      { id: 'b', text: `${shared}\n\nOnly document b has this paragraph, which is unique to it alone.`, metadata: {} },
    ];
    const summary = await ingestDocuments({ index, embedder, chunker: createRecursiveChunker({ maxTokens: 20 }), documents });
    assert.equal(summary.chunks, 5);
    assert.equal(summary.embedded, 3);
    assert.equal(embedder.embedded.filter((t) => t === shared).length, 1);
    assert.equal(summary.written, 5);
    const vectors = await index.getEmbeddings(['a#0', 'a#2', 'b#0']);
    assert.deepEqual(vectors.get('a#2'), vectors.get('a#0'));
    assert.deepEqual(vectors.get('b#0'), vectors.get('a#0'));
  });

  test('delete passes through to the index', async () => {
    await ingestDocuments({ index, embedder, chunker, documents: docs() });
    assert.equal(await deleteDocument(index, 'alpha.md'), 5);
    assert.equal(await deleteDocument(index, 'alpha.md'), 0);
    assert.deepEqual(await index.stats(), { documents: 1, chunks: 3 });
    assert.equal((await index.documentHashes('alpha.md')).size, 0);
    // Re-ingesting after a delete writes the document again.
    const summary = await ingestDocuments({ index, embedder, chunker, documents: docs() });
    assert.deepEqual([summary.updated, summary.skipped], [1, 1]);
  });

  test('bad input changes nothing: duplicate ids, empty text, ids with #', async () => {
    const bad: RagDocument[][] = [
      [...docs(), { id: 'alpha.md', text: 'again', metadata: {} }],
      [...docs(), { id: 'empty', text: '  \n ', metadata: {} }],
      [{ id: 'a#1', text: 'x', metadata: {} }],
    ];
    const codes: string[] = [];
    for (const documents of bad) {
      await assert.rejects(ingestDocuments({ index, embedder, chunker, documents }), (err: unknown) => {
        assert.ok(err instanceof ConduitError && err.kind === 'invalid_request');
        codes.push(err.code ?? '');
        return true;
      });
    }
    assert.deepEqual(codes, ['duplicate_document_id', 'empty_document', 'invalid_document_id']);
    assert.equal(embedder.calls.length, 0);
    assert.equal(index.upserts.length, 0);
    assert.deepEqual(await index.stats(), { documents: 0, chunks: 0 });
    await assert.rejects(ingestDocuments({ index, embedder, chunker, documents: docs(), batchSize: 0 }), /batchSize/);
  });

  test('progress reports each phase up to its total', async () => {
    const events: [IngestPhase, number, number][] = [];
    await ingestDocuments({ index, embedder, chunker, documents: docs(), batchSize: 4, onProgress: (done, total, phase) => events.push([phase, done, total]) });
    const of = (phase: IngestPhase): [number, number][] => events.filter((e) => e[0] === phase).map((e) => [e[1], e[2]]);
    assert.deepEqual(of('chunk'), [[0, 2], [1, 2], [2, 2]]);
    assert.deepEqual(of('embed'), [[0, 8], [4, 8], [8, 8]]);
    assert.deepEqual(of('write'), [[0, 2], [1, 2], [2, 2]]);
    assert.ok(events.findIndex((e) => e[0] === 'write' && e[1] > 0) > events.findIndex((e) => e[0] === 'embed' && e[1] === 4));
  });

  test('large runs write in groups so memory stays bounded, and every chunk still lands', async () => {
    const many: RagDocument[] = Array.from({ length: 30 }, (_, d) => ({ id: `doc-${d}`, text: paragraphs(`d${d}x`, 6), metadata: {} }));
    const summary = await ingestDocuments({ index, embedder, chunker, documents: many, batchSize: 4 });
    assert.equal(summary.embedded, 180);
    assert.ok(embedder.calls.every((c) => c.length <= 4));
    assert.equal(embedder.calls.length, 45);
    assert.deepEqual(await index.stats(), { documents: 30, chunks: 180 });
  });

  test('parent/child chunks: parents are stored beside their children', async () => {
    const document: RagDocument = { id: 'long', text: paragraphs('long', 12), metadata: {} };
    const summary = await ingestDocuments({ index, embedder, chunker: createParentChildChunker({ parentTokens: 120, childTokens: 30 }), documents: [document] });
    const [child] = await index.getChunks(['long#0']);
    assert.ok(child?.parentId);
    const [parent] = await index.getChunks([child.parentId]);
    assert.equal(parent?.kind, 'parent');
    assert.ok(parent.text.includes(child.text));
    assert.equal(summary.written, (await index.stats()).chunks);
    const hits = await index.vectorSearch({ embedding: (await index.getEmbeddings(['long#0'])).get('long#0')!, topK: 50 });
    assert.ok(hits.every((h) => h.chunk.kind !== 'parent'), 'leaf search does not return parents');
    const again = await ingestDocuments({ index, embedder, chunker: createParentChildChunker({ parentTokens: 120, childTokens: 30 }), documents: [document] });
    assert.deepEqual([again.skipped, again.embedded, again.written], [1, 0, 0]);
  });

  test('force re-embeds; an aborted run stops with a cancelled error', async () => {
    await ingestDocuments({ index, embedder, chunker, documents: docs() });
    const forced = await ingestDocuments({ index, embedder, chunker, documents: docs(), force: true });
    assert.equal(forced.embedded, 8);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      ingestDocuments({ index, embedder, chunker: createTokenWindowChunker(), documents: docs(), signal: controller.signal }),
      (err: unknown) => err instanceof ConduitError && err.kind === 'cancelled',
    );
  });

  test('an embedding model returning a zero vector or the wrong count is a provider error, and nothing is written', async () => {
    const broken: RecordingEmbedder = { ...embedder, embed: async (inputs) => ({ embeddings: inputs.map(() => [0, 0, 0]), usage: { inputTokens: 0 }, model: 'x', provider: 'x' }) };
    await assert.rejects(ingestDocuments({ index, embedder: broken, chunker, documents: docs() }), (err: unknown) => err instanceof ConduitError && err.code === 'invalid_embedding');
    const short: RecordingEmbedder = { ...embedder, embed: async () => ({ embeddings: [[1, 0]], usage: { inputTokens: 0 }, model: 'x', provider: 'x' }) };
    await assert.rejects(ingestDocuments({ index, embedder: short, chunker, documents: docs() }), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.deepEqual(await index.stats(), { documents: 0, chunks: 0 });
  });
});
