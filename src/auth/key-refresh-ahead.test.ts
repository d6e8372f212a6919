/**
 * Refresh ahead in the key service: a key in use is re-read in the background once its cache entry
 * is half way to expiry, so no request waits on the database when the entry would have expired;
 * the entry served meanwhile is never older than the TTL (the revocation bound stays the same).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import { openPGliteDatabase } from '../store/embedded/pglite-database.js';
import type { SqlDatabase } from '../store/sql.js';
import { createKeyService } from './key-service.js';
import { derivePepper } from './key-hash.js';
import { KEYS_TABLE } from './key-migrations.js';

/** Counts key-table SELECTs; `fail` makes them throw (the database is unreachable). */
function instrumented(db: SqlDatabase) {
  const state = { selects: 0, fail: false };
  const wrapped: SqlDatabase = Object.create(db) as SqlDatabase;
  wrapped.query = async <Row,>(sql: string, params?: readonly unknown[]) => {
    if (sql.includes(KEYS_TABLE) && /^\s*SELECT/i.test(sql)) {
      state.selects++;
      if (state.fail) throw new Error('connection refused');
    }
    return db.query<Row>(sql, params);
  };
  return { db: wrapped, state };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a key in use is refreshed in the background before its entry expires; failures are reported and the entry still expires on time', async () => {
  const raw = await openPGliteDatabase();
  const { db, state } = instrumented(raw);
  let t = Date.UTC(2026, 0, 1);
  const errors: unknown[] = [];
  const service = await createKeyService({ db, pepper: derivePepper('refresh-ahead-test-master'), now: () => t, cacheTtlMs: 10_000, lastUsedFlushMs: 0, onBackgroundError: (err) => errors.push(err) });
  try {
    const { key, record } = await service.create({ name: 'busy' });
    await service.authenticate(key);
    const first = state.selects;
    t += 4_999;
    await service.authenticate(key);
    await settle();
    assert.equal(state.selects, first, 'not yet half way: no refresh');
    t += 1;
    assert.equal((await service.authenticate(key)).id, record.id, 'served from the cache while the refresh runs');
    for (let i = 0; i < 10 && state.selects === first; i++) await settle();
    assert.equal(state.selects, first + 1, 'one background read');
    // Past the first entry's TTL: the refreshed entry answers, with no read on the request path.
    t += 5_001;
    await service.authenticate(key);
    assert.equal(state.selects, first + 1);

    // A failing refresh is reported; the entry keeps serving until its own TTL, then the request fails (503).
    state.fail = true;
    t += 5_000;
    await service.authenticate(key);
    for (let i = 0; i < 10 && errors.length === 0; i++) await settle();
    assert.equal(errors.length, 1);
    t += 5_000;
    await assert.rejects(service.authenticate(key), (err: unknown) => err instanceof ConduitError && err.code === 'key_store_unavailable');
  } finally {
    state.fail = false;
    await service.close();
    await raw.close();
  }
});
