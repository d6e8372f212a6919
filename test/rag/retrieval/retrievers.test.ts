import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import {
  createHybridRetriever,
  createKeywordRetriever,
  createLlmReranker,
  createMmrRetriever,
  createParentExpansionRetriever,
  createRerankingRetriever,
  createVectorRetriever,
  toUnitVector,
} from '../../../src/rag/retrieval/index.js';
import type { Reranker, RetrievedChunk, Retriever } from '../../../src/rag/types.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';
import { HashingEmbedder, MemoryIndexDouble, indexedChunk, leaf } from './index-double.js';

const ids = (list: RetrievedChunk[]) => list.map((h) => h.chunk.id);

const corpus = [
  leaf('fs', 0, 'fs.readFile reads the entire contents of a file asynchronously and passes the data to a callback.'),
  leaf('fs', 1, 'fs.createReadStream opens a readable stream for a file, useful for large files.'),
  leaf('http', 0, 'http.createServer returns a new server that listens for incoming requests on a port.'),
  leaf('crypto', 0, 'crypto.createHash creates a Hash object that computes a digest such as sha256 of some data.'),
  leaf('events', 0, 'An EventEmitter calls listeners synchronously in the order they were registered when an event is emitted.'),
  leaf('process', 0, 'The --max-old-space-size flag sets the maximum memory size of the V8 old heap section in megabytes.'),
];

describe('vector and keyword retrievers', () => {
  const index = new MemoryIndexDouble(corpus);
  const embedder = new HashingEmbedder();

  test('vector finds the chunk whose words the query shares, tagged via vector', async () => {
    const hits = await createVectorRetriever({ index, embedder }).retrieve({ query: 'compute a sha256 digest hash of data', topK: 2 });
    assert.equal(hits[0]!.chunk.id, 'crypto#0');
    assert.equal(hits[0]!.via, 'vector');
    assert.equal(hits.length, 2);
  });

  test('keyword finds the identifier and passes filter and kinds through', async () => {
    const retriever = createKeywordRetriever({ index, kinds: ['chunk'] });
    const hits = await retriever.retrieve({ query: 'max-old-space-size', topK: 3, filter: { documentId: 'process' } });
    assert.deepEqual(ids(hits), ['process#0']);
    const call = index.calls.at(-1)!;
    assert.deepEqual(call.arg, { text: 'max-old-space-size', topK: 3, filter: { documentId: 'process' }, kinds: ['chunk'] });
  });

  test('bad input is a typed 400 before the index is touched', async () => {
    const before = index.calls.length;
    await assert.rejects(createKeywordRetriever({ index }).retrieve({ query: '  ', topK: 3 }), (e: unknown) => e instanceof ConduitError && e.kind === 'invalid_request' && e.code === 'invalid_query');
    await assert.rejects(createKeywordRetriever({ index }).retrieve({ query: 'x', topK: 0 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_top_k');
    assert.equal(index.calls.length, before);
  });
});

describe('hybrid retriever', () => {
  test('keeps the strong keyword hit first when the vector side is wrong, and over-fetches', async () => {
    // The vector side is scripted to rank a wrong chunk first for this query.
    const embedder = new HashingEmbedder();
    const index = new MemoryIndexDouble(corpus);
    const query = 'how do I make createReadStream work?';
    embedder.overrides.set(query, (await index.getEmbeddings(['http#0'])).get('http#0')!);
    const keyword = createKeywordRetriever({ index });
    const vector = createVectorRetriever({ index, embedder });
    const hybrid = createHybridRetriever({ retrievers: [keyword, vector] });
    const fused = await hybrid.retrieve({ query, topK: 3 });
    assert.equal(fused[0]!.chunk.id, 'fs#1');
    assert.equal(fused[0]!.via, 'hybrid');
    const searches = index.calls.filter((c) => c.method === 'keywordSearch' || c.method === 'vectorSearch');
    assert.ok(searches.every((c) => (c.arg as { topK: number }).topK === 20));
  });

  test('falls back to the vector ranking when no query word is in the corpus', async () => {
    const embedder = new HashingEmbedder();
    const index = new MemoryIndexDouble(corpus);
    const query = 'zzz qqq';
    embedder.overrides.set(query, (await index.getEmbeddings(['events#0'])).get('events#0')!);
    const vectorOnly = await createVectorRetriever({ index, embedder }).retrieve({ query, topK: 3 });
    const fused = await createHybridRetriever({ retrievers: [createKeywordRetriever({ index }), createVectorRetriever({ index, embedder })] }).retrieve({ query, topK: 3 });
    assert.deepEqual(ids(fused), ids(vectorOnly));
    assert.equal(fused[0]!.chunk.id, 'events#0');
  });

  test('default: weighted RRF (keyword 1, vector 0.4): agreement promotes, a vector-only hit cannot displace keyword hits', async () => {
    const keyword: Retriever = { name: 'keyword', retrieve: async () => fake(['k1', 'k2', 'k3']) };
    const vector: Retriever = { name: 'vector', retrieve: async () => fake(['k3', 'v1', 'k1']) };
    const fused = await createHybridRetriever({ retrievers: [keyword, vector] }).retrieve({ query: 'q', topK: 4 });
    assert.deepEqual(ids(fused), ['k1', 'k3', 'k2', 'v1']);
    assert.ok(Math.abs(fused[0]!.score - (1 / 61 + 0.4 / 63)) < 1e-12);
  });

  test('score fusion is selectable', async () => {
    const keyword: Retriever = { name: 'keyword', retrieve: async () => fake(['k1', 'k2']) };
    const vector: Retriever = { name: 'vector', retrieve: async () => fake(['k2', 'k1']) };
    const fused = await createHybridRetriever({ retrievers: [keyword, vector], fusion: { method: 'weighted', normalization: 'min-max' }, weights: { keyword: 1, vector: 2 } }).retrieve({ query: 'q', topK: 2 });
    assert.deepEqual(ids(fused), ['k2', 'k1']);
    assert.equal(fused[0]!.score, 2);
  });

  test('RRF fusion is selectable', async () => {
    const a: Retriever = { name: 'keyword', retrieve: async () => fake(['x', 'y']) };
    const b: Retriever = { name: 'vector', retrieve: async () => fake(['y', 'z']) };
    const fused = await createHybridRetriever({ retrievers: [a, b], fusion: { method: 'rrf' }, weights: { keyword: 1, vector: 1 } }).retrieve({ query: 'q', topK: 3 });
    assert.deepEqual(ids(fused), ['y', 'x', 'z']);
  });
});

describe('MMR', () => {
  test('picks a diverse second chunk instead of a near duplicate; lambda 1 is pure relevance', async () => {
    const q = toUnitVector([1, 0, 0]);
    const dupA = toUnitVector([0.9, 0.436, 0]);
    const other = toUnitVector([0.7, 0, 0.714]);
    const chunks = [
      indexedChunk({ id: 'a#0', documentId: 'a', index: 0, text: 'alpha one', metadata: {} }, dupA),
      indexedChunk({ id: 'a#1', documentId: 'a', index: 1, text: 'alpha two', metadata: {} }, dupA),
      indexedChunk({ id: 'b#0', documentId: 'b', index: 0, text: 'beta', metadata: {} }, other),
    ];
    const index = new MemoryIndexDouble(chunks);
    const embedder = new HashingEmbedder();
    embedder.overrides.set('query', q);
    const base = createVectorRetriever({ index, embedder });
    const diverse = await createMmrRetriever({ base, index, embedder }).retrieve({ query: 'query', topK: 2 });
    assert.deepEqual(ids(diverse), ['a#0', 'b#0']);
    assert.equal(diverse[0]!.via, 'mmr');
    const relevant = await createMmrRetriever({ base, index, embedder, lambda: 1 }).retrieve({ query: 'query', topK: 2 });
    assert.deepEqual(ids(relevant), ['a#0', 'a#1']);
  });

  test('rejects lambda outside [0, 1]', () => {
    const index = new MemoryIndexDouble();
    assert.throws(() => createMmrRetriever({ base: createKeywordRetriever({ index }), index, embedder: new HashingEmbedder(), lambda: 2 }), /lambda/);
  });
});

describe('reranking', () => {
  test('over-fetches, re-scores and keeps the reranker order', async () => {
    let askedTopK = 0;
    const base: Retriever = {
      name: 'keyword',
      retrieve: async (r) => {
        askedTopK = r.topK;
        return fake(['p1', 'p2', 'p3']);
      },
    };
    const reranker: Reranker = { name: 'by-id', score: async (_q, passages) => passages.map((p) => (p === 'p3' ? 0.9 : p === 'p1' ? 0.5 : 0.1)) };
    const out = await createRerankingRetriever({ base, reranker }).retrieve({ query: 'q', topK: 2 });
    assert.equal(askedTopK, 20);
    assert.deepEqual(ids(out), ['p3', 'p1']);
    assert.equal(out[0]!.score, 0.9);
    assert.equal(out[0]!.via, 'rerank(fake)');
  });

  test('the LLM judge reranker scores through generateObject; passages it skipped score 0', async () => {
    const model = new ScriptedModel({ script: [reply(JSON.stringify({ scores: [{ passage: 2, score: 9 }, { passage: 1, score: 3 }] }))] });
    const reranker = createLlmReranker({ model });
    const scores = await reranker.score('which reads files?', ['about servers', 'fs.readFile reads files', 'unrelated']);
    assert.deepEqual(scores, [0.3, 0.9, 0]);
    const prompt = JSON.stringify(model.calls[0]!.request.messages);
    assert.match(prompt, /\[2\] fs.readFile reads files/);
    assert.match(prompt, /which reads files/);
  });
});

describe('parent expansion', () => {
  test('children of one parent collapse into the parent chunk', async () => {
    const parent = indexedChunk({ id: 'doc#p0', documentId: 'doc', index: 0, text: 'PARENT: streams section, full text.', metadata: {}, kind: 'parent' });
    const c1 = leaf('doc', 1, 'readable streams emit data', { parentId: 'doc#p0' });
    const c2 = leaf('doc', 2, 'writable streams accept data', { parentId: 'doc#p0' });
    const lone = leaf('other', 0, 'streams elsewhere');
    const index = new MemoryIndexDouble([parent, c1, c2, lone]);
    const out = await createParentExpansionRetriever({ base: createKeywordRetriever({ index }), index }).retrieve({ query: 'streams data', topK: 2 });
    assert.deepEqual(ids(out), ['doc#p0', 'other#0']);
    assert.equal(out[0]!.chunk.text, 'PARENT: streams section, full text.');
    assert.equal(out[0]!.via, 'keyword+parent');
  });
});

function fake(idList: string[]): RetrievedChunk[] {
  return idList.map((id, i) => ({ chunk: { id, documentId: id, index: 0, text: id, metadata: {} }, score: 1 - i * 0.1, via: 'fake' }));
}
