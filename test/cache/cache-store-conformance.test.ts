/**
 * One behaviour, three backends: every CacheStore adapter (in-memory LRU, SQL on embedded PGlite
 * and on PostgreSQL, Redis) must pass the same suite.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheStore, NowClock } from '../../src/cache/cache-store.js';
import { MemoryCacheStore } from '../../src/cache/stores/memory-lru-store.js';
import { SqlCacheStore } from '../../src/cache/stores/sql-cache-store.js';
import { RedisCacheStore } from '../../src/cache/stores/redis-cache-store.js';
import { ConduitError } from '../../src/core/errors.js';
import { databaseFactories } from '../support/databases.js';

interface ManualNow extends NowClock {
  advance(ms: number): void;
}

function manualNow(): ManualNow {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

interface StoreUnderTest {
  store: CacheStore;
  /** Moves time past `ms`: the manual clock for stores that read one, a real wait for Redis. */
  elapse(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

const factories: { name: string; open(): Promise<StoreUnderTest> }[] = [
  {
    name: 'memory',
    async open() {
      const clock = manualNow();
      return { store: new MemoryCacheStore({ clock }), elapse: async (ms) => clock.advance(ms), dispose: async () => undefined };
    },
  },
  ...databaseFactories.map((f) => ({
    name: `sql (${f.name})`,
    async open(): Promise<StoreUnderTest> {
      const clock = manualNow();
      const handle = await f.open();
      const store = await SqlCacheStore.open(handle.db, { clock });
      return { store, elapse: async (ms) => clock.advance(ms), dispose: () => handle.dispose() };
    },
  })),
  {
    name: 'redis',
    async open() {
      const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      const store = new RedisCacheStore(redis, { prefix: `conduit:test:${randomBytes(6).toString('hex')}:` });
      return {
        store,
        // Redis expires on its own clock: wait for real (PX has millisecond precision).
        elapse: (ms) => new Promise((r) => setTimeout(r, ms + 30)),
        async dispose() {
          await store.clear();
          await redis.quit();
        },
      };
    },
  },
];

for (const factory of factories) {
  describe(`CacheStore conformance: ${factory.name}`, () => {
    const opened: StoreUnderTest[] = [];
    const open = async () => {
      const s = await factory.open();
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.dispose();
    });

    test('round trip: get after set, absent key is undefined, set replaces', async () => {
      const { store } = await open();
      assert.equal(await store.get('nope'), undefined);
      await store.set('k1', '{"text":"héllo ✓"}', 60_000);
      assert.equal(await store.get('k1'), '{"text":"héllo ✓"}');
      await store.set('k1', 'second', 60_000);
      assert.equal(await store.get('k1'), 'second');
      const stats = await store.stats();
      assert.equal(stats.entries, 1);
      assert.equal(stats.kind, store.kind);
    });

    test('entries expire after their TTL', async () => {
      const { store, elapse } = await open();
      await store.set('short', 'a', 100);
      await store.set('long', 'b', 60_000);
      assert.equal(await store.get('short'), 'a');
      await elapse(150);
      assert.equal(await store.get('short'), undefined);
      assert.equal(await store.get('long'), 'b');
      assert.equal((await store.stats()).entries, 1);
    });

    test('delete and clear remove entries; delete reports whether something was removed', async () => {
      const { store } = await open();
      await store.set('a', '1', 60_000);
      await store.set('b', '2', 60_000);
      assert.equal(await store.delete('a'), true);
      assert.equal(await store.delete('a'), false);
      assert.equal(await store.get('a'), undefined);
      await store.clear();
      assert.equal(await store.get('b'), undefined);
      assert.equal((await store.stats()).entries, 0);
    });

    test('an invalid TTL is refused', async () => {
      const { store } = await open();
      await assert.rejects(store.set('x', 'y', 0), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
      await assert.rejects(store.set('x', 'y', Number.NaN), ConduitError);
    });
  });
}
