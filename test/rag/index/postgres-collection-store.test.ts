/**
 * The PostgreSQL adapter over the wire (`pg` client → PGlite with pgvector behind a socket): the
 * conformance suite, plus checks that the SQL really uses pgvector's HNSW index and that a server
 * without pgvector is reported clearly (the real PostgreSQL at 127.0.0.1:5432 has none).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgresCollectionStore } from '../../../src/rag/index/index.js';
import { ConduitError } from '../../../src/core/errors.js';
import { databaseFactories } from '../../support/databases.js';
import { describeChunkIndexConformance, chunk, vec } from './chunk-index-conformance.js';
import { startPgvectorServer } from './pgvector-server.js';
import { clusteredVectors } from './clustered-vectors.js';

// One server for the file: starting PGlite with pgvector costs seconds, and every suite here
// uses its own collection names.
let started: ReturnType<typeof startPgvectorServer> | undefined;
const sharedServer = (): ReturnType<typeof startPgvectorServer> => (started ??= startPgvectorServer());
after(async () => {
  if (started) await (await started).stop();
});

describeChunkIndexConformance('postgres (pgvector over the wire)', async () => {
  const store = await openPostgresCollectionStore({ db: (await sharedServer()).db });
  return { store, dispose: () => store.close() };
});

describe('postgres adapter SQL', () => {
  let server: Awaited<ReturnType<typeof startPgvectorServer>>;
  before(async () => {
    server = await sharedServer();
  });

  test('each collection gets a partial HNSW cosine index that vector search can use', async () => {
    const store = await openPostgresCollectionStore({ db: server.db });
    await store.create('plan', { dimensions: 8 });
    const index = await store.open('plan');
    await index.upsert(Array.from({ length: 300 }, (_, i) => chunk(`d${i}`, 0, `text ${i}`, vec({ [i % 8]: 1, [(i + 3) % 8]: (i % 7) / 7 }))));
    const indexes = await server.db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'rag_chunks' AND indexdef ILIKE '%hnsw%' AND indexdef ILIKE '%''plan''%'");
    assert.equal(indexes.rows.length, 1);
    assert.match(indexes.rows[0]!.indexdef, /vector_cosine_ops/);
    assert.match(indexes.rows[0]!.indexdef, /WHERE \(collection = 'plan'::text\)/);
    const plan = await server.db.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const q = `[${Array.from(vec({ 0: 1 })).join(',')}]`;
      const res = await tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM rag_chunks WHERE collection = 'plan' ORDER BY embedding::vector(8) <=> $1::vector(8) LIMIT 5`,
        [q],
      );
      return res.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /rag_hnsw_/);
    assert.equal((await index.vectorSearch({ embedding: vec({ 0: 1 }), topK: 5 })).length, 5);
    await store.drop('plan');
    const after = await server.db.query("SELECT 1 FROM pg_indexes WHERE tablename = 'rag_chunks' AND indexdef ILIKE '%hnsw%' AND indexdef ILIKE '%''plan''%'");
    assert.equal(after.rows.length, 0, 'dropping the collection drops its HNSW index');
  });
});

describe('postgres adapter through the HNSW index', () => {
  test('large statements (a batch of 512-d embeddings, several MB) go through', async () => {
    const server = await sharedServer();
    const store = await openPostgresCollectionStore({ db: server.db });
    await store.create('wide', { dimensions: 512 });
    const index = await store.open('wide');
    const gen = clusteredVectors(512, 5, 4, 4);
    const rows = Array.from({ length: 400 }, (_, i) => chunk(`w${i}`, 0, `wide row ${i} `.repeat(40), gen.sample()));
    await index.upsert(rows);
    assert.deepEqual(await index.stats(), { documents: 400, chunks: 400 });
    const [top] = await index.vectorSearch({ embedding: rows[123]!.embedding, topK: 1 });
    assert.equal(top?.chunk.id, 'w123#0');
    await store.drop('wide');
  });

  test('a selective filter still returns topK matching rows (iterative index scan), close to exact', async () => {
    const server = await sharedServer();
    // A small statement cap: the 600 rows go in several INSERTs, which must all land.
    const store = await openPostgresCollectionStore({ db: server.db, maxStatementBytes: 16 * 1024 });
    await store.create('hnsw', { dimensions: 16 });
    const index = await store.open('hnsw');
    const gen = clusteredVectors(16, 11, 8, 4);
    const rows = Array.from({ length: 600 }, (_, i) => chunk(`d${i}`, 0, `row ${i}`, gen.sample(), { shard: i % 10 === 0 ? 'rare' : 'common' }));
    await index.upsert(rows);
    assert.deepEqual(await index.stats(), { documents: 600, chunks: 600 });
    // The pool has one connection: this session setting makes the planner take the HNSW index.
    await server.db.query('SET enable_seqscan = off');
    try {
      let found = 0;
      for (let q = 0; q < 10; q++) {
        const query = gen.sample();
        const hits = await index.vectorSearch({ embedding: query, topK: 10, filter: { shard: 'rare' } });
        assert.equal(hits.length, 10, 'the iterative scan keeps going until 10 rows pass the filter');
        assert.ok(hits.every((h) => h.chunk.metadata['shard'] === 'rare'));
        const exact = rows
          .filter((r) => r.metadata['shard'] === 'rare')
          .map((r) => ({ id: r.id, score: r.embedding.reduce((s, x, j) => s + x * query[j]!, 0) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        const want = new Set(exact.map((e) => e.id));
        found += hits.filter((h) => want.has(h.chunk.id)).length;
      }
      assert.ok(found / 100 >= 0.9, `recall@10 through HNSW ${found / 100}`);
    } finally {
      await server.db.query('RESET enable_seqscan');
      await store.drop('hnsw');
    }
  });
});

describe('postgres adapter on a server without pgvector', () => {
  const postgres = databaseFactories.find((f) => f.name === 'postgres')!;
  test('opening reports pgvector_missing instead of a raw SQL error', async () => {
    const handle = await postgres.open();
    try {
      const available = await handle.db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
      if (available.rows.length > 0) return; // this server has pgvector: nothing to report
      await assert.rejects(openPostgresCollectionStore({ db: handle.db }), (err: unknown) => {
        assert.ok(err instanceof ConduitError);
        assert.equal(err.code, 'pgvector_missing');
        return true;
      });
    } finally {
      await handle.dispose();
    }
  });
});
