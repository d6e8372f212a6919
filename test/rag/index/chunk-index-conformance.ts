/**
 * One behaviour, every adapter: the memory, embedded (persisted) and PostgreSQL CollectionStores
 * must give the same answers to the same operations. Each adapter's test file calls
 * `describeChunkIndexConformance` with a factory for a fresh, empty store.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConduitError } from '../../../src/core/errors.js';
import type { ChunkIndex, CollectionStore, IndexedChunk, Metadata } from '../../../src/rag/types.js';

export interface StoreUnderTest {
  store: CollectionStore;
  dispose(): Promise<void>;
}

const DIMS = 8;

/** A unit vector from a few non-zero components (the rest zero). */
export function vec(components: Record<number, number>, dims = DIMS): Float32Array {
  const v = new Float32Array(dims);
  for (const [i, x] of Object.entries(components)) v[Number(i)] = x;
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

export function chunk(
  documentId: string,
  index: number,
  text: string,
  embedding: Float32Array,
  metadata: Metadata = {},
  extra: Partial<IndexedChunk> = {},
): IndexedChunk {
  return {
    id: `${documentId}#${index}`,
    documentId,
    index,
    text,
    metadata,
    embedding,
    contentHash: createHash('sha256').update(text).digest('hex'),
    ...extra,
  };
}

function isError(kind: string, code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ConduitError, `expected ConduitError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.equal(err.code, code);
    return true;
  };
}

export function describeChunkIndexConformance(adapter: string, open: () => Promise<StoreUnderTest>): void {
  describe(`ChunkIndex conformance: ${adapter}`, () => {
    let sut: StoreUnderTest;
    let store: CollectionStore;
    let n = 0;
    /** A fresh collection per test, so tests do not depend on each other's data. */
    async function fresh(dimensions?: number): Promise<ChunkIndex> {
      const name = `c${++n}`;
      await store.create(name, dimensions === undefined ? {} : { dimensions });
      return store.open(name);
    }

    before(async () => {
      sut = await open();
      store = sut.store;
    });
    after(async () => {
      await sut.dispose();
    });

    test('collections: create, get, list, drop; unknown names are not_found/unknown_collection', async () => {
      const info = await store.create('docs-a', { description: 'A docs', dimensions: DIMS });
      assert.equal(info.name, 'docs-a');
      assert.equal(info.description, 'A docs');
      assert.equal(info.dimensions, DIMS);
      assert.equal(info.documents, 0);
      assert.equal(info.chunks, 0);
      assert.ok(!Number.isNaN(Date.parse(info.createdAt)));
      assert.deepEqual((await store.get('docs-a')).name, 'docs-a');
      assert.ok((await store.list()).some((c) => c.name === 'docs-a'));
      await assert.rejects(store.create('docs-a'), isError('invalid_request', 'collection_exists'));
      await assert.rejects(store.create('bad name!'), isError('invalid_request', 'invalid_collection_name'));
      await assert.rejects(store.get('nope'), isError('not_found', 'unknown_collection'));
      await assert.rejects(store.open('nope'), isError('not_found', 'unknown_collection'));
      await assert.rejects(store.drop('nope'), isError('not_found', 'unknown_collection'));
      const index = await store.open('docs-a');
      await index.upsert([chunk('d', 0, 'hello', vec({ 0: 1 }))]);
      await store.drop('docs-a');
      assert.ok(!(await store.list()).some((c) => c.name === 'docs-a'));
      await assert.rejects(store.get('docs-a'), isError('not_found', 'unknown_collection'));
      await assert.rejects(index.stats(), isError('not_found', 'unknown_collection'));
      // Re-creating a dropped name starts empty.
      await store.create('docs-a');
      assert.deepEqual(await (await store.open('docs-a')).stats(), { documents: 0, chunks: 0 });
    });

    test('upsert adds and replaces by id; getChunks keeps the order asked and skips missing ids', async () => {
      const index = await fresh();
      await index.upsert([
        chunk('a', 0, 'first chunk of a', vec({ 0: 1 }), { lang: 'en' }),
        chunk('a', 1, 'second chunk of a', vec({ 1: 1 })),
        chunk('b', 0, 'only chunk of b', vec({ 2: 1 })),
      ]);
      assert.deepEqual(await index.stats(), { documents: 2, chunks: 3 });
      await index.upsert([chunk('a', 1, 'second chunk of a, edited', vec({ 3: 1 }), { edited: true })]);
      assert.deepEqual(await index.stats(), { documents: 2, chunks: 3 });
      const got = await index.getChunks(['b#0', 'missing#9', 'a#1', 'a#0']);
      assert.deepEqual(
        got.map((c) => c.id),
        ['b#0', 'a#1', 'a#0'],
      );
      const a1 = got[1]!;
      assert.equal(a1.text, 'second chunk of a, edited');
      assert.deepEqual(a1.metadata, { edited: true });
      assert.equal(a1.documentId, 'a');
      assert.equal(a1.index, 1);
      assert.deepEqual(got[2]!.metadata, { lang: 'en' });
      // The replaced chunk's old vector is gone: its old direction finds nothing from a#1.
      const hits = await index.vectorSearch({ embedding: vec({ 1: 1 }), topK: 3 });
      assert.ok(hits.every((h) => h.chunk.id !== 'a#1' || h.score < 0.5));
      const info = await store.get(index.collection);
      assert.equal(info.chunks, 3);
      assert.equal(info.documents, 2);
      assert.equal(info.dimensions, DIMS);
    });

    test('deleteDocument removes every chunk of the document and reports how many', async () => {
      const index = await fresh();
      await index.upsert([chunk('a', 0, 'alpha one', vec({ 0: 1 })), chunk('a', 1, 'alpha two', vec({ 1: 1 })), chunk('b', 0, 'beta', vec({ 2: 1 }))]);
      assert.equal(await index.deleteDocument('a'), 2);
      assert.equal(await index.deleteDocument('a'), 0);
      assert.equal(await index.deleteDocument('never'), 0);
      assert.deepEqual(await index.stats(), { documents: 1, chunks: 1 });
      assert.deepEqual(await index.getChunks(['a#0', 'a#1', 'b#0']).then((c) => c.map((x) => x.id)), ['b#0']);
      assert.deepEqual(await index.keywordSearch({ text: 'alpha', topK: 5 }), []);
      const hits = await index.vectorSearch({ embedding: vec({ 0: 1 }), topK: 5 });
      assert.deepEqual(
        hits.map((h) => h.chunk.id),
        ['b#0'],
      );
      assert.equal((await store.get(index.collection)).chunks, 1);
    });

    test('documentHashes maps chunk id to content hash for one document', async () => {
      const index = await fresh();
      const a0 = chunk('a', 0, 'one', vec({ 0: 1 }));
      const a1 = chunk('a', 1, 'two', vec({ 1: 1 }));
      await index.upsert([a0, a1, chunk('b', 0, 'three', vec({ 2: 1 }))]);
      assert.deepEqual(
        await index.documentHashes('a'),
        new Map([
          ['a#0', a0.contentHash],
          ['a#1', a1.contentHash],
        ]),
      );
      assert.equal((await index.documentHashes('zzz')).size, 0);
    });

    test('vectorSearch returns the exact top-k by cosine similarity on known vectors', async () => {
      const index = await fresh();
      await index.upsert([
        chunk('v', 0, 'x axis', vec({ 0: 1 })),
        chunk('v', 1, 'mostly x', vec({ 0: 0.9, 1: 0.1 })),
        chunk('v', 2, 'diagonal', vec({ 0: 1, 1: 1 })),
        chunk('v', 3, 'y axis', vec({ 1: 1 })),
        chunk('v', 4, 'opposite', vec({ 0: -1 })),
      ]);
      const hits = await index.vectorSearch({ embedding: vec({ 0: 1 }), topK: 3 });
      assert.deepEqual(
        hits.map((h) => h.chunk.id),
        ['v#0', 'v#1', 'v#2'],
      );
      assert.ok(Math.abs(hits[0]!.score - 1) < 1e-5);
      assert.ok(Math.abs(hits[2]!.score - Math.SQRT1_2) < 1e-4);
      // A non-unit query is normalised: same ranking and cosine scores.
      const scaled = await index.vectorSearch({ embedding: vec({ 0: 1 }).map((x) => x * 7), topK: 5 });
      assert.deepEqual(
        scaled.map((h) => h.chunk.id),
        ['v#0', 'v#1', 'v#2', 'v#3', 'v#4'],
      );
      assert.ok(Math.abs(scaled[4]!.score + 1) < 1e-5);
      assert.equal((await index.vectorSearch({ embedding: vec({ 1: 1 }), topK: 1 }))[0]!.chunk.id, 'v#3');
    });

    test('keywordSearch: a word in exactly one document ranks it first', async () => {
      const index = await fresh();
      await index.upsert([
        chunk('k', 0, 'The server handles the request and the response for every client connection.', vec({ 0: 1 })),
        chunk('k', 1, 'A request to the server may time out; the server then retries the request.', vec({ 1: 1 })),
        chunk('k', 2, 'Configure the server request logging with the verbose flag.', vec({ 2: 1 })),
        chunk('k', 3, 'The server streams the request body; backpressure pauses the reader.', vec({ 3: 1 })),
      ]);
      const hits = await index.keywordSearch({ text: 'server request backpressure', topK: 4 });
      assert.equal(hits[0]?.chunk.id, 'k#3');
      assert.ok(hits.length === 4, 'every document mentions server/request');
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
      assert.deepEqual(await index.keywordSearch({ text: 'nonexistentword', topK: 4 }), []);
      assert.deepEqual(await index.keywordSearch({ text: 'the and of', topK: 4 }), [], 'stop-words alone match nothing');
    });

    test('keywordSearch: BM25 prefers the higher term frequency relative to length', async () => {
      const index = await fresh();
      const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed eiusmod tempor incididunt labore dolore magna aliqua';
      await index.upsert([
        chunk('t', 0, `cache ${filler} ${filler}`, vec({ 0: 1 })),
        chunk('t', 1, 'cache eviction cache policy cache size', vec({ 1: 1 })),
        chunk('t', 2, `cache ${filler}`, vec({ 2: 1 })),
        chunk('t', 3, 'unrelated text about networking sockets', vec({ 3: 1 })),
      ]);
      const hits = await index.keywordSearch({ text: 'cache', topK: 10 });
      assert.deepEqual(
        hits.map((h) => h.chunk.id),
        ['t#1', 't#2', 't#0'],
      );
      assert.ok(hits[0]!.score > hits[1]!.score && hits[1]!.score > hits[2]!.score);
    });

    test('keywordSearch finds technical tokens such as fs.readFile and --max-old-space-size', async () => {
      const index = await fresh();
      await index.upsert([
        chunk('n', 0, 'Use fs.readFile(path, callback) to read a whole file asynchronously.', vec({ 0: 1 })),
        chunk('n', 1, 'Raise the heap limit with node --max-old-space-size=4096 when memory runs out.', vec({ 1: 1 })),
        chunk('n', 2, 'The file system module has many functions; read the documentation.', vec({ 2: 1 })),
        chunk('n', 3, 'Old space and new space are heap regions; size matters.', vec({ 3: 1 })),
      ]);
      assert.equal((await index.keywordSearch({ text: 'fs.readFile', topK: 4 }))[0]?.chunk.id, 'n#0');
      assert.equal((await index.keywordSearch({ text: 'how do I use --max-old-space-size?', topK: 4 }))[0]?.chunk.id, 'n#1');
      assert.equal((await index.keywordSearch({ text: 'readFile', topK: 4 }))[0]?.chunk.id, 'n#0');
    });

    test('metadata filters apply to vector and keyword search alike', async () => {
      const index = await fresh();
      await index.upsert([
        chunk('f', 0, 'release notes for the parser', vec({ 0: 1 }), { lang: 'en', version: 1, tags: ['parser', 'notes'], date: '2024-01-10' }),
        chunk('f', 1, 'release notes for the lexer', vec({ 0: 0.9, 1: 0.1 }), { lang: 'de', version: 2, tags: ['lexer'], date: '2024-03-05' }),
        chunk('f', 2, 'release notes for the printer', vec({ 0: 0.8, 1: 0.2 }), { lang: 'en', version: 3, tags: ['printer', 'notes'], date: '2024-06-30' }),
        chunk('f', 3, 'release notes without metadata', vec({ 0: 0.7, 1: 0.3 })),
      ]);
      const q = vec({ 0: 1 });
      const cases: [Parameters<ChunkIndex['vectorSearch']>[0]['filter'], string[]][] = [
        [{ lang: 'en' }, ['f#0', 'f#2']],
        [{ tags: 'notes' }, ['f#0', 'f#2']],
        [{ tags: ['parser', 'notes'] }, ['f#0']],
        [{ lang: { in: ['de', 'fr'] } }, ['f#1']],
        [{ version: { gte: 2 } }, ['f#1', 'f#2']],
        [{ version: { gte: 2, lte: 2 } }, ['f#1']],
        [{ date: { gte: '2024-02-01', lte: '2024-12-31' } }, ['f#1', 'f#2']],
        [{ lang: 'en', version: { lte: 1 } }, ['f#0']],
        [{ lang: 'xx' }, []],
      ];
      for (const [filter, expected] of cases) {
        const v = await index.vectorSearch({ embedding: q, topK: 10, ...(filter ? { filter } : {}) });
        assert.deepEqual(
          v.map((h) => h.chunk.id),
          expected,
          `vector ${JSON.stringify(filter)}`,
        );
        const k = await index.keywordSearch({ text: 'release notes', topK: 10, ...(filter ? { filter } : {}) });
        assert.deepEqual(k.map((h) => h.chunk.id).sort(), [...expected].sort(), `keyword ${JSON.stringify(filter)}`);
      }
      await assert.rejects(index.vectorSearch({ embedding: q, topK: 3, filter: { lang: { like: 'e%' } as never } }), isError('invalid_request', 'invalid_index_input'));
    });

    test('kinds: leaf chunks by default, other kinds only when asked', async () => {
      const index = await fresh();
      await index.upsert([
        chunk('h', 0, 'leaf about storage engines', vec({ 0: 1 })),
        chunk('h', 1, 'explicit leaf about storage', vec({ 0: 0.9, 1: 0.1 }), {}, { kind: 'chunk' }),
        chunk('h', 2, 'summary about storage engines', vec({ 0: 0.95, 1: 0.05 }), {}, { kind: 'summary', id: 'h#summary' }),
        chunk('h', 3, 'parent section about storage engines', vec({ 0: 0.99, 1: 0.01 }), {}, { kind: 'parent', id: 'h#p0' }),
      ]);
      const q = vec({ 0: 1 });
      assert.deepEqual((await index.vectorSearch({ embedding: q, topK: 10 })).map((h) => h.chunk.id).sort(), ['h#0', 'h#1']);
      assert.deepEqual((await index.keywordSearch({ text: 'storage', topK: 10 })).map((h) => h.chunk.id).sort(), ['h#0', 'h#1']);
      assert.deepEqual(
        (await index.vectorSearch({ embedding: q, topK: 10, kinds: ['summary'] })).map((h) => h.chunk.id),
        ['h#summary'],
      );
      assert.deepEqual((await index.keywordSearch({ text: 'storage', topK: 10, kinds: ['parent', 'summary'] })).map((h) => h.chunk.id).sort(), ['h#p0', 'h#summary']);
      const [parent] = await index.getChunks(['h#p0']);
      assert.equal(parent?.kind, 'parent');
    });

    test('getEmbeddings returns the stored unit vectors for known ids only', async () => {
      const index = await fresh();
      await index.upsert([chunk('e', 0, 'zero', vec({ 0: 3, 1: 4 })), chunk('e', 1, 'one', vec({ 2: 1 }))]);
      const got = await index.getEmbeddings(['e#1', 'missing', 'e#0']);
      assert.deepEqual([...got.keys()].sort(), ['e#0', 'e#1']);
      const e0 = got.get('e#0')!;
      assert.equal(e0.length, DIMS);
      assert.ok(Math.abs(e0[0]! - 0.6) < 1e-5 && Math.abs(e0[1]! - 0.8) < 1e-5);
      assert.ok(Math.abs(got.get('e#1')![2]! - 1) < 1e-6);
    });

    test('dimension mismatch is invalid_request and changes nothing', async () => {
      const index = await fresh(DIMS);
      await index.upsert([chunk('m', 0, 'fits', vec({ 0: 1 }))]);
      await assert.rejects(
        index.upsert([chunk('m', 1, 'fits too', vec({ 0: 1 })), chunk('m', 2, 'too short', new Float32Array([1, 0, 0]))]),
        isError('invalid_request', 'dimension_mismatch'),
      );
      assert.deepEqual(await index.stats(), { documents: 1, chunks: 1 });
      await assert.rejects(index.vectorSearch({ embedding: new Float32Array(DIMS + 1), topK: 1 }), isError('invalid_request', 'dimension_mismatch'));
      // Dimensions fixed at first ingestion when the collection did not declare them.
      const free = await fresh();
      await free.upsert([chunk('x', 0, 'four dims', new Float32Array([0, 0, 0, 1]))]);
      assert.equal((await store.get(free.collection)).dimensions, 4);
      await assert.rejects(free.upsert([chunk('x', 1, 'eight', vec({ 0: 1 }))]), isError('invalid_request', 'dimension_mismatch'));
    });

    test('bad input is rejected with invalid_request', async () => {
      const index = await fresh();
      await assert.rejects(index.vectorSearch({ embedding: vec({ 0: 1 }), topK: 0 }), isError('invalid_request', 'invalid_index_input'));
      await assert.rejects(index.keywordSearch({ text: 'x', topK: 1.5 }), isError('invalid_request', 'invalid_index_input'));
      await assert.rejects(index.upsert([chunk('', 0, 'no document', vec({ 0: 1 }))]), isError('invalid_request', 'invalid_index_input'));
      const nan = vec({ 0: 1 });
      nan[1] = Number.NaN;
      await assert.rejects(index.upsert([chunk('d', 0, 'nan', nan)]), isError('invalid_request', 'invalid_index_input'));
      assert.deepEqual(await index.stats(), { documents: 0, chunks: 0 });
      assert.deepEqual(await index.vectorSearch({ embedding: vec({ 0: 1 }), topK: 3 }), []);
    });
  });
}
