/**
 * The linked-list LRU under churn: a full store evicting on every insert (the gateway benchmark's
 * pattern: every request a miss) keeps exact recency order, entry and byte counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCacheStore } from './memory-lru-store.js';

test('a full store under churn evicts exactly the least recently used entries and keeps its accounting', async () => {
  let now = 1_000;
  const store = new MemoryCacheStore({ maxEntries: 100, clock: { now: () => now } });
  for (let i = 0; i < 50_000; i++) {
    await store.set(`k${i}`, 'v'.repeat(i % 7), 60_000);
    // Keep k0 hot: touched on every round, it must never be evicted.
    if (i > 0 && i % 10 === 0) assert.equal(await store.get('k0'), '');
  }
  const stats = await store.stats();
  assert.equal(stats.entries, 100);
  assert.equal(stats.evictions, 50_000 - 100);
  assert.equal(await store.get('k0'), '', 'the hot entry survived');
  assert.equal(await store.get('k49900'), undefined, 'the oldest cold entry left when k0 stayed');
  let bytes = 0;
  for (let i = 49_901; i < 50_000; i++) {
    const value = await store.get(`k${i}`);
    assert.equal(value, 'v'.repeat(i % 7));
    bytes += (`k${i}`.length + value!.length) * 2;
  }
  bytes += 'k0'.length * 2;
  assert.equal((await store.stats()).bytes, bytes);

  // Replacing, deleting and expiring keep the list and the counts consistent.
  await store.set('k0', 'new', 60_000);
  assert.equal(await store.delete('k49999'), true);
  assert.equal(await store.delete('k49999'), false);
  now += 60_000;
  const after = await store.stats();
  assert.equal(after.entries, 0, 'everything expired');
  assert.equal(after.bytes, 0);
  await store.set('a', '1', 1_000);
  await store.set('b', '2', 1_000);
  await store.clear();
  assert.equal((await store.stats()).entries, 0);
  await store.set('c', '3', 1_000);
  assert.equal(await store.get('c'), '3', 'usable after clear');
});
