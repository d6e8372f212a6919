import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetStoreFactories } from './budget-stores.js';

const NOW = Date.now();
const TTL = 3_600_000;
const line = (key: string, limit: number, amount: number) => ({ key, limit, amount, ttlMs: TTL });

for (const factory of budgetStoreFactories) {
  describe(`BudgetStore conformance: ${factory.name}`, () => {
    test('a missing counter is reported uninitialized; initialize creates it once', async () => {
      const { stores, dispose } = await factory.open();
      const store = stores[0]!;
      try {
        const res = await store.reserve({ reservationId: 'r1', now: NOW, reservationExpiresAt: NOW + 60_000, lines: [line('a', 100, 10), line('b', 100, 10)] });
        assert.deepEqual(res, { status: 'uninitialized', indices: [0, 1] });
        await store.initialize({ key: 'a', spent: 30, ttlMs: TTL, now: NOW });
        await store.initialize({ key: 'a', spent: 999, ttlMs: TTL, now: NOW }); // loser of a race: no effect
        await store.initialize({ key: 'b', spent: 0, ttlMs: TTL, now: NOW });
        assert.deepEqual(await store.read({ keys: ['a', 'b', 'c'], now: NOW }), [{ spent: 30, reserved: 0 }, { spent: 0, reserved: 0 }, null]);
      } finally {
        await dispose();
      }
    });

    test('reserve is all-or-nothing across counters and refuses at the limit', async () => {
      const { stores, dispose } = await factory.open();
      const store = stores[0]!;
      try {
        await store.initialize({ key: 'key', spent: 0, ttlMs: TTL, now: NOW });
        await store.initialize({ key: 'team', spent: 90, ttlMs: TTL, now: NOW });
        const args = (id: string, amount: number) => ({ reservationId: id, now: NOW, reservationExpiresAt: NOW + 60_000, lines: [line('key', 100, amount), line('team', 100, amount)] });
        assert.deepEqual(await store.reserve(args('r1', 10)), { status: 'reserved', counters: [{ spent: 0, reserved: 10 }, { spent: 90, reserved: 10 }] });
        // The team counter is full: nothing may be held on the key counter either.
        assert.deepEqual(await store.reserve(args('r2', 1)), { status: 'refused', index: 1, counter: { spent: 90, reserved: 10 } });
        assert.deepEqual(await store.read({ keys: ['key'], now: NOW }), [{ spent: 0, reserved: 10 }]);
        // Commit r1 at 7: the hold goes, the charge stays, and 3 units are free again.
        assert.deepEqual(await store.settle({ reservationId: 'r1', now: NOW, lines: [{ key: 'key', charge: 7 }, { key: 'team', charge: 7 }] }), [{ spent: 7, reserved: 0 }, { spent: 97, reserved: 0 }]);
        assert.equal((await store.reserve(args('r3', 4))).status, 'refused');
        assert.equal((await store.reserve(args('r4', 3))).status, 'reserved');
        // Exactly at the limit (spent + reserved = limit) even a zero estimate is refused.
        assert.equal((await store.reserve(args('r5', 0))).status, 'refused');
        // Releasing (charge 0) frees the hold; settling twice does not release twice.
        await store.settle({ reservationId: 'r4', now: NOW, lines: [{ key: 'key', charge: 0 }, { key: 'team', charge: 0 }] });
        await store.settle({ reservationId: 'r4', now: NOW, lines: [{ key: 'key', charge: 0 }, { key: 'team', charge: 0 }] });
        assert.deepEqual(await store.read({ keys: ['key', 'team'], now: NOW }), [{ spent: 7, reserved: 0 }, { spent: 97, reserved: 0 }]);
      } finally {
        await dispose();
      }
    });

    test('expired holds are dropped so a dead replica cannot block a budget', async () => {
      const { stores, dispose } = await factory.open();
      const store = stores[0]!;
      try {
        await store.initialize({ key: 'k', spent: 0, ttlMs: TTL, now: NOW });
        assert.equal((await store.reserve({ reservationId: 'dead', now: NOW, reservationExpiresAt: NOW + 1000, lines: [line('k', 10, 10)] })).status, 'reserved');
        assert.equal((await store.reserve({ reservationId: 'x', now: NOW + 500, reservationExpiresAt: NOW + 60_000, lines: [line('k', 10, 1)] })).status, 'refused');
        assert.deepEqual(await store.reserve({ reservationId: 'y', now: NOW + 1001, reservationExpiresAt: NOW + 60_000, lines: [line('k', 10, 1)] }), { status: 'reserved', counters: [{ spent: 0, reserved: 1 }] });
        // The dead request finally commits: its spend counts, its hold is already gone.
        assert.deepEqual(await store.settle({ reservationId: 'dead', now: NOW + 2000, lines: [{ key: 'k', charge: 4 }] }), [{ spent: 4, reserved: 1 }]);
      } finally {
        await dispose();
      }
    });

    test('settle on a counter that is gone reports null and does not recreate it', async () => {
      const { stores, flush, dispose } = await factory.open();
      const store = stores[0]!;
      try {
        await store.initialize({ key: 'k', spent: 0, ttlMs: TTL, now: NOW });
        await store.reserve({ reservationId: 'r', now: NOW, reservationExpiresAt: NOW + 60_000, lines: [line('k', 10, 5)] });
        await flush();
        assert.deepEqual(await store.settle({ reservationId: 'r', now: NOW, lines: [{ key: 'k', charge: 5 }] }), [null]);
        assert.deepEqual(await store.read({ keys: ['k'], now: NOW }), [null]);
      } finally {
        await dispose();
      }
    });

    test('claimOnce is true for exactly one caller across replicas', async () => {
      const { stores, dispose } = await factory.open(2);
      try {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.claimOnce({ key: 'soft|x', ttlMs: TTL, now: NOW })));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await stores[0]!.claimOnce({ key: 'soft|y', ttlMs: TTL, now: NOW }), true);
      } finally {
        await dispose();
      }
    });
  });
}
