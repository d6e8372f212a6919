/**
 * The embedded store skips its scan of the holds in flight until the earliest one can have expired
 * (`holdsExpireFrom`). That bound must never let an expired hold keep counting, whatever order the
 * holds arrive, settle and expire in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBudgetStore } from './embedded-budget-store.js';

const line = (amount: number) => ({ key: 'k', limit: 100, amount, ttlMs: 3_600_000 });

test('holds expire on time with the scan skipped in between, for holds settled early and holds that expire out of order', async () => {
  const store = createEmbeddedBudgetStore();
  await store.initialize({ key: 'k', spent: 0, ttlMs: 3_600_000, now: 0 });
  const reserved = async (id: string, now: number, expiresAt: number, amount: number) =>
    (await store.reserve({ reservationId: id, now, reservationExpiresAt: expiresAt, lines: [line(amount)] })).status;

  assert.equal(await reserved('a', 0, 1_000, 10), 'reserved');
  assert.equal(await reserved('b', 10, 60_000, 20), 'reserved');
  // 'a' settles early: the bound stays at 1,000 (a lower bound), which only means one early scan.
  await store.settle({ reservationId: 'a', now: 20, lines: [{ key: 'k', charge: 10 }] });
  assert.deepEqual(await store.read({ keys: ['k'], now: 500 }), [{ spent: 10, reserved: 20 }]);
  assert.deepEqual(await store.read({ keys: ['k'], now: 1_001 }), [{ spent: 10, reserved: 20 }], 'the scan at the bound finds only the live hold');
  // A hold expiring before every other one lowers the bound again.
  assert.equal(await reserved('c', 1_500, 2_000, 30), 'reserved');
  assert.deepEqual(await store.read({ keys: ['k'], now: 1_999 }), [{ spent: 10, reserved: 50 }]);
  assert.deepEqual(await store.read({ keys: ['k'], now: 2_000 }), [{ spent: 10, reserved: 20 }], "'c' expired exactly at its time");
  // Its reserved amount is free for a new request at once; 'b' still counts until 60,000.
  assert.equal(await reserved('d', 2_000, 3_000_000, 70), 'reserved');
  assert.equal(await reserved('e', 2_001, 3_000_000, 1), 'refused', '10 spent + 20 (b) + 70 (d) = 100');
  assert.equal(await reserved('f', 60_000, 3_000_000, 20), 'reserved', "'b' expired at 60,000");
});
