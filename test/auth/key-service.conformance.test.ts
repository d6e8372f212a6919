import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../support/databases.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { openPgDatabase } from '../../src/store/postgres/pg-database.js';
import { ConduitError } from '../../src/core/errors.js';
import { createKeyService, derivePepper, KEYS_TABLE, parseKey } from '../../src/auth/index.js';
import type { KeyService, KeyServiceOptions } from '../../src/auth/index.js';

const PEPPER = derivePepper('test-master-key-0123456789');

/** A clock the test moves by hand, so TTL and expiry tests never sleep. */
function manualClock(start = Date.UTC(2025, 5, 1, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** Counts statements that touch the key table, to prove the hot path stays off the database. */
function countingDb(db: SqlDatabase): { db: SqlDatabase; selects: () => number; updates: () => number } {
  let selects = 0;
  let updates = 0;
  const wrapped: SqlDatabase = Object.create(db) as SqlDatabase;
  wrapped.query = async <Row,>(sql: string, params?: readonly unknown[]) => {
    if (sql.includes(KEYS_TABLE) && /^\s*SELECT/i.test(sql)) selects++;
    if (sql.includes(KEYS_TABLE) && /^\s*UPDATE/i.test(sql)) updates++;
    return db.query<Row>(sql, params);
  };
  return { db: wrapped, selects: () => selects, updates: () => updates };
}

async function rejectsWith(promise: Promise<unknown>, kind: 'authentication' | 'permission' | 'not_found' | 'invalid_request', code?: string, secret?: string) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ConduitError, `expected a ConduitError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.equal(err.status, { authentication: 401, permission: 403, not_found: 404, invalid_request: 400 }[kind]);
    if (code !== undefined) assert.equal(err.code, code);
    if (secret !== undefined) assert.ok(!err.message.includes(secret), 'the error must not echo the secret');
    return true;
  });
}

for (const factory of databaseFactories) {
  describe(`KeyService conformance: ${factory.name}`, () => {
    async function withService(
      fn: (ctx: { service: KeyService; db: SqlDatabase; url?: string; clock: ReturnType<typeof manualClock> }) => Promise<void>,
      options: Partial<KeyServiceOptions> = {},
    ) {
      const { db, url, dispose } = await factory.open();
      const clock = manualClock();
      const service = await createKeyService({ db, pepper: PEPPER, now: clock.now, lastUsedFlushMs: 0, ...options });
      try {
        await fn({ service, db, ...(url !== undefined ? { url } : {}), clock });
      } finally {
        await service.close();
        await dispose();
      }
    }

    test('create returns the key once; authenticate accepts it; the database holds no plaintext secret', async () => {
      await withService(async ({ service, db }) => {
        const { key, record } = await service.create({
          name: 'ci bot',
          ownerUserId: 'u1',
          team: 'alpha',
          allowedModels: ['openai/*', 'fast'],
          limits: { requestsPerMinute: 50, tokensPerMinute: 10_000 },
          budgets: [{ window: 'day', limitUsd: 5 }],
          guardrails: { pii: 'mask' },
          metadata: { env: 'ci', n: 1 },
        });
        const parsed = parseKey(key);
        assert.ok(parsed, 'the key has the documented format');
        assert.match(key, /^ck-[0-9A-Za-z]{16}-[0-9A-Za-z]{43}$/);
        assert.equal(parsed.keyId, record.id);
        assert.equal(record.revokedAt, null);
        assert.equal(record.rotatedFrom, null);

        const authed = await service.authenticate(key);
        assert.deepEqual(authed, record);
        assert.deepEqual(await service.get(record.id), record);

        const rows = await db.query<{ row: string }>(`SELECT row_to_json(k)::text AS row FROM ${KEYS_TABLE} k`);
        assert.equal(rows.rows.length, 1);
        for (const { row } of rows.rows) {
          assert.ok(!row.includes(parsed.secret), 'the secret must not be stored');
          assert.ok(!row.includes(key), 'the key must not be stored');
          assert.match(row, /hmac-sha256:[0-9a-f]{64}/);
        }
        // Nothing returned by the admin API carries the secret or its hash either.
        const listed = JSON.stringify(await service.list());
        assert.ok(!listed.includes(parsed.secret) && !listed.includes('hmac-sha256'));
      });
    });

    test('wrong secret, malformed, unknown id, revoked and expired keys are 401s that never echo the key', async () => {
      await withService(async ({ service, clock }) => {
        const { key, record } = await service.create({ name: 'a', expiresAt: new Date(clock.now() + 60_000) });
        const { secret, keyId } = parseKey(key)!;
        const wrongSecret = `ck-${keyId}-${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
        await rejectsWith(service.authenticate(wrongSecret), 'authentication', 'invalid_api_key', wrongSecret);
        for (const malformed of ['', 'sk-abc', key.slice(0, -1), `${key}x`, key.replace('ck-', 'ck_'), `ck-${keyId}`]) {
          await rejectsWith(service.authenticate(malformed), 'authentication', 'invalid_api_key', malformed === '' ? undefined : malformed);
        }
        const unknown = `ck-${'Z'.repeat(16)}-${secret}`;
        await rejectsWith(service.authenticate(unknown), 'authentication', 'invalid_api_key', secret);

        // Still valid a moment before expiry, refused at it.
        clock.advance(59_999);
        assert.equal((await service.authenticate(key)).id, record.id);
        clock.advance(1);
        await rejectsWith(service.authenticate(key), 'authentication', 'api_key_expired', secret);

        const other = await service.create({ name: 'b' });
        await service.authenticate(other.key);
        const revoked = await service.revoke(other.record.id);
        assert.equal(revoked.revokedAt, new Date(clock.now()).toISOString());
        assert.deepEqual(await service.revoke(other.record.id), revoked, 'revoke is idempotent');
        await rejectsWith(service.authenticate(other.key), 'authentication', 'api_key_revoked', parseKey(other.key)!.secret);
      });
    });

    test('invalid create and update input gives invalid_request naming the field', async () => {
      await withService(async ({ service, clock }) => {
        await rejectsWith(service.create({ name: '' }), 'invalid_request', 'invalid_key_input');
        await assert.rejects(
          service.create({ name: 'x', limits: { requestsPerMinute: -1 } }),
          (err: unknown) => err instanceof ConduitError && err.param === 'limits.requestsPerMinute' && err.message.includes('limits.requestsPerMinute'),
        );
        await assert.rejects(
          service.create({ name: 'x', budgets: [{ window: 'week' as 'day', limitUsd: 1 }] }),
          (err: unknown) => err instanceof ConduitError && err.param === 'budgets.0.window',
        );
        await assert.rejects(
          service.create({ name: 'x', budgets: [{ window: 'day', limitUsd: 1 }, { window: 'day', limitUsd: 2 }] }),
          (err: unknown) => err instanceof ConduitError && /one budget per window/.test(err.message),
        );
        await assert.rejects(service.create({ name: 'x', unknownField: 1 } as never), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
        await rejectsWith(service.create({ name: 'x', expiresAt: clock.now() - 1 }), 'invalid_request');
        await rejectsWith(service.create({ name: 'x', allowedModels: ['has space'] }), 'invalid_request');

        const { record } = await service.create({ name: 'x' });
        await rejectsWith(service.update(record.id, {}), 'invalid_request');
        await rejectsWith(service.update('nope', { name: 'y' }), 'not_found', 'key_not_found');
        await rejectsWith(service.get('A'.repeat(16)), 'not_found');
      });
    });

    test('update changes settings and takes effect at once on the same instance', async () => {
      await withService(async ({ service }) => {
        const { key, record } = await service.create({ name: 'x', team: 'alpha', ownerUserId: 'u1', allowedModels: ['a'] });
        assert.deepEqual((await service.authenticate(key)).allowedModels, ['a']);
        const updated = await service.update(record.id, { name: 'y', team: null, allowedModels: ['b/*'], metadata: { k: [1, 'two'] } });
        assert.equal(updated.name, 'y');
        assert.equal(updated.team, null);
        assert.equal(updated.ownerUserId, 'u1', 'fields not named stay');
        assert.deepEqual(updated.metadata, { k: [1, 'two'] });
        const authed = await service.authenticate(key);
        assert.deepEqual(authed.allowedModels, ['b/*']);
        assert.deepEqual(await service.get(record.id), updated);
        service.authorizeModel(authed, 'b/model');
        assert.throws(() => service.authorizeModel(authed, 'a'), (err: unknown) => err instanceof ConduitError && err.kind === 'permission' && err.status === 403);
      });
    });

    test('rotate: new key works, old key works during the grace period and not after', async () => {
      await withService(async ({ service, clock }) => {
        const old = await service.create({ name: 'svc', team: 't', allowedModels: ['m'], budgets: [{ window: 'month', limitUsd: 10 }] });
        const rotated = await service.rotate(old.record.id, { graceMs: 10_000 });
        assert.notEqual(rotated.key, old.key);
        assert.notEqual(rotated.record.id, old.record.id);
        assert.equal(rotated.record.rotatedFrom, old.record.id);
        assert.deepEqual(rotated.record.allowedModels, ['m']);
        assert.deepEqual(rotated.record.budgets, [{ window: 'month', limitUsd: 10 }]);
        assert.equal(rotated.previous.expiresAt, new Date(clock.now() + 10_000).toISOString());

        assert.equal((await service.authenticate(rotated.key)).id, rotated.record.id);
        assert.equal((await service.authenticate(old.key)).id, old.record.id, 'old key valid during grace');
        clock.advance(9_999);
        await service.authenticate(old.key);
        clock.advance(1);
        await rejectsWith(service.authenticate(old.key), 'authentication', 'api_key_expired');
        assert.equal((await service.authenticate(rotated.key)).id, rotated.record.id);

        // A key rotates once; its successor is next. Without grace the old key dies at once.
        await rejectsWith(service.rotate(old.record.id), 'invalid_request', 'key_expired');
        const again = await service.rotate(rotated.record.id);
        assert.equal(again.previous.revokedAt, new Date(clock.now()).toISOString());
        await rejectsWith(service.authenticate(rotated.key), 'authentication', 'api_key_revoked');
        await service.authenticate(again.key);
        await rejectsWith(service.rotate(rotated.record.id), 'invalid_request', 'key_revoked');

        const fresh = await service.create({ name: 'twice' });
        await service.rotate(fresh.record.id, { graceMs: 5_000 });
        await rejectsWith(service.rotate(fresh.record.id, { graceMs: 5_000 }), 'invalid_request', 'key_already_rotated');
        await rejectsWith(service.rotate(fresh.record.id, { graceMs: -1 }), 'invalid_request');
      });
    });

    test('list filters by team and owner and hides revoked keys unless asked', async () => {
      await withService(async ({ service, clock }) => {
        const a = await service.create({ name: 'a', team: 'alpha', ownerUserId: 'u1' });
        clock.advance(1);
        const b = await service.create({ name: 'b', team: 'alpha', ownerUserId: 'u2' });
        clock.advance(1);
        const c = await service.create({ name: 'c', team: 'beta', ownerUserId: 'u1' });
        clock.advance(1);
        await service.revoke(b.record.id);
        const ids = (records: { id: string }[]) => records.map((r) => r.id);
        assert.deepEqual(ids(await service.list()), [a.record.id, c.record.id]);
        assert.deepEqual(ids(await service.list({ includeRevoked: true })), [a.record.id, b.record.id, c.record.id]);
        assert.deepEqual(ids(await service.list({ team: 'alpha' })), [a.record.id]);
        assert.deepEqual(ids(await service.list({ team: 'alpha', includeRevoked: true })), [a.record.id, b.record.id]);
        assert.deepEqual(ids(await service.list({ owner: 'u1' })), [a.record.id, c.record.id]);
        assert.deepEqual(ids(await service.list({ owner: 'u1', team: 'beta' })), [c.record.id]);
        assert.deepEqual(ids(await service.list({ team: 'nobody' })), []);
        assert.deepEqual(ids(await service.list({ includeRevoked: true, limit: 2 })), [a.record.id, b.record.id]);
      });
    });

    test('cache: revocation is immediate on the same instance and within the TTL on another replica', async () => {
      await withService(
        async ({ service, db, url, clock }) => {
          // A second instance is another replica: its own cache, and for PostgreSQL its own connection pool.
          const otherDb = url !== undefined ? await openPgDatabase({ connectionString: url, max: 2 }) : db;
          const replica = await createKeyService({ db: otherDb, pepper: PEPPER, now: clock.now, cacheTtlMs: 5_000, lastUsedFlushMs: 0 });
          try {
            const { key, record } = await service.create({ name: 'cached' });
            await service.authenticate(key);
            await replica.authenticate(key); // now cached on the replica
            await service.revoke(record.id);
            await rejectsWith(service.authenticate(key), 'authentication', 'api_key_revoked');
            clock.advance(4_999);
            assert.equal((await replica.authenticate(key)).id, record.id, 'the replica may serve its cached record within the TTL');
            clock.advance(1);
            await rejectsWith(replica.authenticate(key), 'authentication', 'api_key_revoked');
          } finally {
            await replica.close();
            if (otherDb !== db) await otherDb.close();
          }
        },
        { cacheTtlMs: 5_000 },
      );
    });

    test('hot path: repeated authentications hit the cache; unknown ids are negatively cached; lastUsedAt is batched', async () => {
      const { db: raw, dispose } = await factory.open();
      const counting = countingDb(raw);
      const clock = manualClock();
      const service = await createKeyService({ db: counting.db, pepper: PEPPER, now: clock.now, cacheTtlMs: 10_000, lastUsedFlushMs: 0 });
      try {
        const { key, record } = await service.create({ name: 'hot' });
        const selectsBefore = counting.selects();
        await Promise.all(Array.from({ length: 50 }, () => service.authenticate(key)));
        for (let i = 0; i < 50; i++) await service.authenticate(key);
        assert.equal(counting.selects() - selectsBefore, 1, 'one lookup for 100 authentications, concurrent ones coalesced');
        assert.equal(counting.updates(), 0, 'no write per request');

        const unknown = `ck-${'Y'.repeat(16)}-${parseKey(key)!.secret}`;
        for (let i = 0; i < 20; i++) await rejectsWith(service.authenticate(unknown), 'authentication');
        assert.equal(counting.selects() - selectsBefore, 2, 'an unknown id is looked up once per TTL');

        assert.equal((await service.get(record.id)).lastUsedAt, null);
        clock.advance(1_000);
        await service.authenticate(key);
        await service.flushLastUsed();
        assert.equal(counting.updates(), 1, 'one batched write');
        assert.equal((await service.get(record.id)).lastUsedAt, new Date(clock.now()).toISOString());
        await service.flushLastUsed();
        assert.equal(counting.updates(), 1, 'nothing pending, nothing written');
      } finally {
        await service.close();
        await dispose();
      }
    });

    test('the negative cache is bounded and a key created later is found at once', async () => {
      await withService(
        async ({ service }) => {
          for (let i = 0; i < 10; i++) {
            const id = `${String(i).padStart(2, '0')}${'Q'.repeat(14)}`;
            await rejectsWith(service.authenticate(`ck-${id}-${'s'.repeat(43)}`), 'authentication');
          }
          const { key } = await service.create({ name: 'later' });
          await service.authenticate(key);
        },
        { maxNegativeCacheEntries: 3 },
      );
    });

    test('a second service on the same database (a restarted replica) authenticates existing keys; a different pepper does not', async () => {
      await withService(async ({ service, db, clock }) => {
        const { key } = await service.create({ name: 'persist' });
        const restarted = await createKeyService({ db, pepper: PEPPER, now: clock.now, lastUsedFlushMs: 0 });
        assert.equal((await restarted.authenticate(key)).name, 'persist');
        const otherPepper = await createKeyService({ db, pepper: derivePepper('another-master-key'), now: clock.now, lastUsedFlushMs: 0 });
        await rejectsWith(otherPepper.authenticate(key), 'authentication', 'invalid_api_key');
        await restarted.close();
        await otherPepper.close();
      });
    });
  });
}
