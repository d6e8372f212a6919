import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConduitError } from '../../src/core/errors.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';
import { createKeyService, derivePepper } from '../../src/auth/index.js';

const PEPPER = derivePepper('failures-master-key');

test('a store failure during authenticate is a retryable 503, not a 401, and does not echo the key', async () => {
  const broken = {
    kind: 'postgres',
    query: async () => {
      throw new Error('connection refused');
    },
  } as unknown as SqlDatabase;
  const service = await createKeyService({ db: broken, pepper: PEPPER, migrate: false, lastUsedFlushMs: 0 });
  const key = `ck-${'a'.repeat(16)}-${'b'.repeat(43)}`;
  await assert.rejects(service.authenticate(key), (err: unknown) => {
    assert.ok(err instanceof ConduitError);
    assert.equal(err.status, 503);
    assert.equal(err.retryable, true);
    assert.equal(err.code, 'key_store_unavailable');
    assert.ok(!err.message.includes('b'.repeat(43)));
    assert.equal((err.cause as Error).message, 'connection refused');
    return true;
  });
  await service.close();
});

test('a short pepper is refused at start', async () => {
  const db = await openPGliteDatabase();
  try {
    await assert.rejects(createKeyService({ db, pepper: 'short' }), /at least 16 bytes/);
  } finally {
    await db.close();
  }
});

test('lastUsedAt is written by the background timer, and close flushes what is left', async () => {
  const db = await openPGliteDatabase();
  try {
    const service = await createKeyService({ db, pepper: PEPPER, lastUsedFlushMs: 50 });
    const { key, record } = await service.create({ name: 'timer' });
    await service.authenticate(key);
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 100 && lastUsedAt === null; i++) {
      await sleep(20);
      lastUsedAt = (await service.get(record.id)).lastUsedAt;
    }
    assert.notEqual(lastUsedAt, null, 'the timer flushed');
    await service.close();

    const manual = await createKeyService({ db, pepper: PEPPER, lastUsedFlushMs: 0, now: () => Date.parse(lastUsedAt!) + 60_000 });
    await manual.authenticate(key);
    await manual.close();
    assert.equal((await manual.get(record.id)).lastUsedAt, new Date(Date.parse(lastUsedAt!) + 60_000).toISOString());
  } finally {
    await db.close();
  }
});
