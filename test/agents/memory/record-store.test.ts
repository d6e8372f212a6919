/** The MemoryRecordStore conformance suite: in memory, embedded PGlite and PostgreSQL. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemoryRecord, MemoryRecordStore } from '../../../src/agents/memory/memory-record.js';
import { createInMemoryRecordStore } from '../../../src/agents/memory/in-memory-record-store.js';
import { createSqlRecordStore } from '../../../src/agents/memory/sql-record-store.js';
import { databaseFactories } from '../../support/databases.js';

const adapters: { name: string; open(): Promise<{ store: MemoryRecordStore; dispose(): Promise<void> }> }[] = [
  { name: 'in-memory', open: async () => ({ store: createInMemoryRecordStore(), dispose: async () => undefined }) },
  ...databaseFactories.map((f) => ({
    name: f.name,
    async open() {
      const opened = await f.open();
      return { store: await createSqlRecordStore(opened.db), dispose: opened.dispose };
    },
  })),
];

function record(id: string, overrides: Partial<MemoryRecord> = {}): MemoryRecord {
  return { id, kind: 'fact', scope: 'user-1', content: `content ${id}`, embedding: [0.25, -0.5, 0.125], importance: 0.5, metadata: { source: 'test' }, createdAt: 1000, lastAccessedAt: 1000, ...overrides };
}

for (const adapter of adapters) {
  describe(`MemoryRecordStore (${adapter.name})`, () => {
    let store: MemoryRecordStore;
    let dispose: () => Promise<void>;
    before(async () => ({ store, dispose } = await adapter.open()));
    after(async () => dispose());

    test('round-trips a record, embedding included', async () => {
      const r = record('a', { embedding: [0.1, 0.2, -0.3], importance: 0.75 });
      await store.add(r);
      const read = await store.get('a');
      assert.ok(read);
      assert.deepEqual({ ...read, embedding: [] }, { ...r, embedding: [] });
      // real[] is single precision: equal to float32 rounding.
      read.embedding.forEach((x, i) => assert.ok(Math.abs(x - r.embedding[i]!) < 1e-6));
      assert.equal(await store.get('missing'), undefined);
    });

    test('lists one kind in one scope, oldest first', async () => {
      await store.add(record('l2', { scope: 's-list', createdAt: 20 }));
      await store.add(record('l1', { scope: 's-list', createdAt: 10 }));
      await store.add(record('l3', { scope: 's-list', kind: 'episode', createdAt: 5 }));
      await store.add(record('l4', { scope: 'other', createdAt: 1 }));
      assert.deepEqual((await store.list('fact', 's-list')).map((r) => r.id), ['l1', 'l2']);
      assert.deepEqual((await store.list('episode', 's-list')).map((r) => r.id), ['l3']);
    });

    test('touch only moves last access forward; remove forgets', async () => {
      await store.add(record('t1', { scope: 's-touch', lastAccessedAt: 500 }));
      await store.touch(['t1'], 900);
      assert.equal((await store.get('t1'))?.lastAccessedAt, 900);
      await store.touch(['t1'], 100);
      assert.equal((await store.get('t1'))?.lastAccessedAt, 900);
      await store.touch([], 1000);
      assert.equal(await store.remove('t1'), true);
      assert.equal(await store.remove('t1'), false);
      assert.equal(await store.get('t1'), undefined);
    });
  });
}
