import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCacheStore } from '../../src/cache/stores/memory-lru-store.js';

test('LRU: evicts the least recently used entry beyond maxEntries; a read refreshes recency', async () => {
  const store = new MemoryCacheStore({ maxEntries: 3 });
  await store.set('a', '1', 60_000);
  await store.set('b', '2', 60_000);
  await store.set('c', '3', 60_000);
  assert.equal(await store.get('a'), '1'); // a is now the most recent; b the least
  await store.set('d', '4', 60_000);
  assert.equal(await store.get('b'), undefined);
  assert.equal(await store.get('a'), '1');
  assert.equal(await store.get('c'), '3');
  assert.equal(await store.get('d'), '4');
  const stats = await store.stats();
  assert.equal(stats.entries, 3);
  assert.equal(stats.evictions, 1);
});

test('LRU: bounded by bytes; a value larger than the bound is not stored', async () => {
  // (key + value) × 2 bytes: each entry below is (1 + 99) × 2 = 200 bytes.
  const store = new MemoryCacheStore({ maxBytes: 500 });
  await store.set('a', 'x'.repeat(99), 60_000);
  await store.set('b', 'x'.repeat(99), 60_000);
  assert.equal((await store.stats()).bytes, 400);
  await store.set('c', 'x'.repeat(99), 60_000);
  assert.equal(await store.get('a'), undefined);
  assert.equal((await store.stats()).bytes, 400);
  await store.set('huge', 'x'.repeat(1000), 60_000);
  assert.equal(await store.get('huge'), undefined);
  assert.equal(await store.get('c'), 'x'.repeat(99));
});

test('LRU: replacing a key does not double-count its bytes', async () => {
  const store = new MemoryCacheStore();
  await store.set('k', 'abc', 60_000);
  await store.set('k', 'abcdef', 60_000);
  assert.deepEqual(await store.stats(), { kind: 'memory', entries: 1, bytes: (1 + 6) * 2, evictions: 0 });
});
