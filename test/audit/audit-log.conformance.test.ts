/**
 * Audit log conformance: the same behaviour on embedded PGlite and on PostgreSQL.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { databaseFactories, type DatabaseFactory } from '../support/databases.js';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';
import { openPGliteWorkerDatabase } from '../../src/store/embedded/pglite-worker-database.js';
import { openPgDatabase } from '../../src/store/postgres/pg-database.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { createAuditLog, type AuditLog, type AuditLogOptions } from '../../src/audit/audit-log.js';
import { computeContentHash, computeEntryHash, GENESIS_HASH, REDACTED, type AuditEntryInput } from '../../src/audit/entry.js';
import { runAuditVerifyCommand } from '../../src/audit/verify-command.js';
import { createAuditBuffer } from '../../src/audit/audit-buffer.js';
import { ConduitError } from '../../src/core/errors.js';

const request = (i: number, extra: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  requestId: `req-${i}`,
  actor: 'key_123',
  action: 'model.request',
  resource: 'gpt-4o-mini',
  outcome: 'success',
  details: { inputTokens: 10 + i, outputTokens: 5, costUsd: 0.0001 * i },
  ...extra,
});

// Starting PGlite takes seconds on a loaded machine, so the embedded tests share one instance and
// each gets a fresh schema in it (PGlite has one session, so search_path applies to all queries).
let sharedPGlite: Promise<SqlDatabase> | undefined;
// The same on a worker thread, the adapter `conduit serve` uses (its errors cross a thread).
let sharedWorker: Promise<SqlDatabase> | undefined;
after(async () => {
  if (sharedPGlite !== undefined) await (await sharedPGlite).close();
  if (sharedWorker !== undefined) await (await sharedWorker).close();
});

const workerFactory: DatabaseFactory = {
  name: 'embedded',
  async open() {
    sharedWorker ??= openPGliteWorkerDatabase();
    return { db: await sharedWorker, dispose: async () => {} };
  },
};

async function openFresh(factory: DatabaseFactory): Promise<{ db: SqlDatabase; url?: string; dispose(): Promise<void> }> {
  if (factory.name !== 'embedded') return factory.open();
  const db = factory === workerFactory ? (await factory.open()).db : await (sharedPGlite ??= openPGliteDatabase());
  const schema = `audit_t_${randomBytes(4).toString('hex')}`;
  await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  return { db, dispose: () => db.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE`) };
}

for (const [label, factory] of [...databaseFactories.map((f) => [f.name, f] as const), ['embedded (worker thread)', workerFactory] as const]) {
  describe(`audit log conformance: ${label}`, () => {
    async function withLog(
      options: Omit<AuditLogOptions, 'db'>,
      fn: (log: AuditLog, db: SqlDatabase, url: string | undefined) => Promise<void>,
    ): Promise<void> {
      const { db, url, dispose } = await openFresh(factory);
      try {
        // The worker-thread suite runs the one-statement appends (what a gateway may turn on), the
        // in-thread one the transactions.
        await fn(await createAuditLog({ db, ...(factory === workerFactory ? { oneStatementAppends: true } : {}), ...options }), db, url);
      } finally {
        await dispose();
      }
    }

    async function appendFive(log: AuditLog): Promise<void> {
      for (let i = 1; i <= 5; i++) await log.append(request(i));
    }

    test('append links entries into a verifiable chain with gap-free seqs', async () => {
      await withLog({}, async (log, db) => {
        const empty = await log.verify();
        assert.deepEqual(empty, { ok: true, entriesChecked: 0, anchorSeq: 0, head: { seq: 0, hash: GENESIS_HASH } });
        const a = await log.append(request(1, { userId: 'user-1' }));
        const [b, c] = await log.appendMany([request(2), { actor: 'admin', action: 'admin.key.create', outcome: 'success', details: { keyId: 'k1' } }]);
        assert.deepEqual([a.seq, b!.seq, c!.seq], [1, 2, 3]);
        assert.equal(a.prevHash, GENESIS_HASH);
        assert.equal(b!.prevHash, a.hash);
        assert.equal(c!.prevHash, b!.hash);
        assert.equal(a.hash, computeEntryHash(a));
        assert.equal(a.userId, 'user-1');
        assert.equal(a.userRef, log.userRef('user-1'));
        assert.notEqual(a.userRef, 'user-1');
        assert.equal(c!.requestId, null);
        const report = await log.verify();
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.entriesChecked, 3);
        assert.deepEqual(report.head, { seq: 3, hash: c!.hash });
        assert.deepEqual(await log.head(), { seq: 3, hash: c!.hash });
        const cli = await runAuditVerifyCommand(db);
        assert.equal(cli.ok, true);
        // What query returns is what was appended.
        const stored = (await log.query()).entries;
        assert.deepEqual(stored, [a, b, c]);
      });
    });

    test('details keep no secrets: secret-looking keys are redacted before hashing', async () => {
      await withLog({}, async (log, db) => {
        const e = await log.append({
          actor: 'admin',
          action: 'admin.key.create',
          outcome: 'success',
          details: { keyId: 'k1', api_key: 'sk-live-abc', headers: { Authorization: 'Bearer sk-live-abc' }, tokens: 12 },
        });
        assert.deepEqual(e.details, { keyId: 'k1', api_key: REDACTED, headers: { Authorization: REDACTED }, tokens: 12 });
        const raw = JSON.stringify((await db.query('SELECT * FROM conduit_audit_entries')).rows);
        assert.equal(raw.includes('sk-live-abc'), false);
        assert.equal((await log.verify()).ok, true);
      });
    });

    describe('tamper detection', () => {
      const cases: { name: string; tamper: (db: SqlDatabase) => Promise<void>; seq: number; reason: string }[] = [
        {
          name: 'a details field edited with SQL',
          tamper: async (db) => {
            await db.query(`UPDATE conduit_audit_entries SET details = jsonb_set(details, '{inputTokens}', '999') WHERE seq = 3`);
          },
          seq: 3,
          reason: 'hash_mismatch',
        },
        {
          name: 'the outcome edited',
          tamper: async (db) => {
            await db.query(`UPDATE conduit_audit_entries SET outcome = 'failure' WHERE seq = 2`);
          },
          seq: 2,
          reason: 'hash_mismatch',
        },
        {
          name: 'a middle row deleted',
          tamper: async (db) => {
            await db.query('DELETE FROM conduit_audit_entries WHERE seq = 3');
          },
          seq: 3,
          reason: 'missing_entries',
        },
        {
          name: 'the newest row deleted',
          tamper: async (db) => {
            await db.query('DELETE FROM conduit_audit_entries WHERE seq = 5');
          },
          seq: 5,
          reason: 'missing_entries',
        },
        {
          name: "two rows' seq swapped",
          tamper: async (db) => {
            await db.query('UPDATE conduit_audit_entries SET seq = -1 WHERE seq = 2');
            await db.query('UPDATE conduit_audit_entries SET seq = 2 WHERE seq = 3');
            await db.query('UPDATE conduit_audit_entries SET seq = 3 WHERE seq = -1');
          },
          seq: 2,
          reason: 'hash_mismatch',
        },
        {
          name: 'a hash altered',
          tamper: async (db) => {
            await db.query(`UPDATE conduit_audit_entries SET hash = repeat('a', 64) WHERE seq = 4`);
          },
          seq: 4,
          reason: 'hash_mismatch',
        },
        {
          name: 'an entry edited and its own hash recomputed',
          tamper: async (db) => {
            const row = (await db.query<{ id: string; ts: Date; prev_hash: string }>('SELECT id, ts, prev_hash FROM conduit_audit_entries WHERE seq = 3')).rows[0]!;
            const details = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
            const hash = computeEntryHash({
              seq: 3, id: row.id, ts: new Date(row.ts).toISOString(), requestId: 'req-3', actor: 'key_123', userRef: null,
              action: 'model.request', resource: 'gpt-4o-mini', outcome: 'success', details, contentHash: null, personalHash: null,
              prevHash: row.prev_hash,
            });
            await db.query('UPDATE conduit_audit_entries SET details = $1::jsonb, hash = $2 WHERE seq = 3', [JSON.stringify(details), hash]);
          },
          seq: 4,
          reason: 'prev_hash_mismatch',
        },
      ];
      for (const c of cases) {
        test(`detects ${c.name}`, async () => {
          await withLog({}, async (log, db) => {
            await appendFive(log);
            assert.equal((await log.verify()).ok, true);
            await c.tamper(db);
            const report = await log.verify();
            assert.equal(report.ok, false);
            assert.equal(report.firstBad?.seq, c.seq, JSON.stringify(report));
            assert.equal(report.firstBad?.reason, c.reason);
            const cli = await runAuditVerifyCommand(db);
            assert.equal(cli.ok, false);
            assert.deepEqual(cli.report.firstBad, report.firstBad);
          });
        });
      }

      test('detects edited personal fields that were not erased', async () => {
        await withLog({}, async (log, db) => {
          await log.append(request(1, { userId: 'u1', personal: { email: 'a@example.com' } }));
          await db.query(`UPDATE conduit_audit_entries SET personal = '{"email":"b@example.com"}'::jsonb`);
          const report = await log.verify();
          assert.equal(report.firstBad?.reason, 'personal_hash_mismatch');
        });
      });
    });

    test('appends are idempotent by (requestId, action), also inside one batch', async () => {
      await withLog({}, async (log, db) => {
        const first = await log.append(request(1));
        const again = await log.append(request(1, { details: { different: true } }));
        assert.deepEqual(again, first);
        const other = await log.append(request(1, { action: 'guardrail.decision' }));
        assert.equal(other.seq, 2);
        const batch = await log.appendMany([request(2), request(1), request(2), request(3)]);
        assert.deepEqual(batch.map((e) => e.seq), [3, 1, 3, 4]);
        const count = (await db.query<{ n: number | string }>('SELECT count(*) AS n FROM conduit_audit_entries')).rows[0]!.n;
        assert.equal(Number(count), 4);
        assert.equal((await log.verify()).ok, true);
      });
    });

    test('a batch of distinct keys holding an already stored one returns the stored entry and chains the rest', async () => {
      await withLog({}, async (log, db) => {
        const stored = await log.appendMany([request(1), request(2)]);
        // No key repeats inside the batch, so the append first tries without looking stored keys
        // up; the stored req-2 must still resolve to its entry, and nothing may be half written.
        const batch = await log.appendMany([request(3), request(2, { details: { different: true } }), request(4)]);
        assert.deepEqual(batch.map((e) => e.seq), [3, 2, 4]);
        assert.deepEqual(batch[1], stored[1]);
        assert.equal(batch[2]!.prevHash, batch[0]!.hash);
        const rows = (await db.query<{ seq: number | string; request_id: string }>('SELECT seq, request_id FROM conduit_audit_entries ORDER BY seq')).rows;
        assert.deepEqual(rows.map((r) => [Number(r.seq), r.request_id]), [[1, 'req-1'], [2, 'req-2'], [3, 'req-3'], [4, 'req-4']]);
        assert.deepEqual(await log.head(), { seq: 4, hash: batch[2]!.hash });
        const report = await log.verify();
        assert.equal(report.ok, true, JSON.stringify(report));
      });
    });

    test('two logs on one database keep one chain: a log whose last known head moved re-reads it', async () => {
      await withLog({}, async (a, db) => {
        const b = await createAuditLog({ db, oneStatementAppends: factory === workerFactory });
        await a.appendMany([request(1), request(2)]);
        await b.append(request(3));
        // `a` last wrote seq 2; its next batch must still follow seq 3.
        const next = await a.appendMany([request(4), request(5)]);
        assert.deepEqual(next.map((e) => e.seq), [4, 5]);
        await b.append(request(6));
        await a.append(request(7));
        const again = await a.append(request(7));
        assert.equal(again.seq, 7);
        const rows = (await db.query<{ request_id: string }>('SELECT request_id FROM conduit_audit_entries ORDER BY seq')).rows;
        assert.deepEqual(rows.map((r) => r.request_id), ['req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6', 'req-7']);
        const report = await a.verify();
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.entriesChecked, 7);
      });
    });

    test('content is hashed as the JSON it would be stored as', async () => {
      await withLog({}, async (log) => {
        const when = new Date('2026-01-02T03:04:05.000Z');
        const content = { response: 'r', prompt: [{ role: 'user', content: 'x', at: when, skipped: undefined, n: Number.NaN }] };
        const e = await log.append(request(1, { content }));
        const asStored = JSON.parse(JSON.stringify(content)) as { prompt: unknown; response?: unknown };
        assert.equal(e.contentHash, computeContentHash(asStored));
      });
    });

    test('hash mode keeps only the content hash', async () => {
      await withLog({}, async (log, db) => {
        const e = await log.append(request(1, { content: { prompt: 'my secret prompt', response: 'an answer' } }));
        assert.match(e.contentHash ?? '', /^[0-9a-f]{64}$/);
        assert.equal(e.hasContent, false);
        assert.equal(await log.readContent(1), null);
        const raw = JSON.stringify((await db.query('SELECT * FROM conduit_audit_entries')).rows);
        assert.equal(raw.includes('my secret prompt'), false);
      });
    });

    test('encrypted content round-trips; the ciphertext hides it; a wrong or missing key fails', async () => {
      const key = randomBytes(32);
      await withLog({ content: 'encrypted', encryptionKey: key }, async (log, db) => {
        const content = { prompt: [{ role: 'user', content: 'my secret prompt text' }], response: 'the confidential answer' };
        const e = await log.append(request(1, { content }));
        assert.equal(e.hasContent, true);
        assert.deepEqual(await log.readContent(e.seq), content);
        const blob = Buffer.from((await db.query<{ content: Uint8Array }>('SELECT content FROM conduit_audit_entries WHERE seq = 1')).rows[0]!.content);
        assert.ok(blob.length > 0);
        assert.equal(blob.includes(Buffer.from('my secret prompt text')), false);
        assert.equal(blob.includes(Buffer.from('confidential')), false);

        const wrongKey = await createAuditLog({ db, content: 'encrypted', encryptionKey: randomBytes(32) });
        await assert.rejects(wrongKey.readContent(1), (err: unknown) => err instanceof ConduitError && err.kind === 'permission');
        const noKey = await createAuditLog({ db });
        await assert.rejects(noKey.readContent(1), /needs the audit encryption key/);
        await assert.rejects(log.readContent(99), (err: unknown) => err instanceof ConduitError && err.kind === 'not_found');
        await assert.rejects(createAuditLog({ db, content: 'encrypted' }), /encryption_key/);
        await assert.rejects(createAuditLog({ db, encryptionKey: randomBytes(16) }), /32 bytes/);
        assert.equal((await log.verify()).ok, true);
      });
    });

    test('GDPR erase removes the user\'s content, id and personal fields; the chain still verifies', async () => {
      await withLog({ content: 'encrypted', encryptionKey: randomBytes(32) }, async (log, db) => {
        const secret = { prompt: 'alice private question', response: 'answer for alice' };
        await log.append(request(1, { userId: 'alice', personal: { email: 'alice@example.com', ip: '203.0.113.7' }, content: secret }));
        await log.append(request(2, { userId: 'bob', content: { prompt: 'bob question', response: 'bob answer' } }));
        await log.append(request(3, { userId: 'alice', content: { prompt: 'second alice question' } }));
        const { entriesErased, eraseEntry } = await log.eraseUser('alice', { actor: 'admin', requestId: 'erase-1' });
        assert.equal(entriesErased, 2);
        assert.equal(eraseEntry.action, 'gdpr.erase');
        assert.equal(eraseEntry.seq, 4);
        assert.deepEqual(eraseEntry.details, { userRef: log.userRef('alice'), entriesErased: 2 });

        const report = await log.verify();
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.entriesChecked, 4);
        assert.equal(await log.readContent(1), null);
        assert.equal(await log.readContent(3), null);
        assert.deepEqual(await log.readContent(2), { prompt: 'bob question', response: 'bob answer' });

        const raw = JSON.stringify((await db.query('SELECT * FROM conduit_audit_entries')).rows);
        for (const personal of ['alice', 'alice@example.com', '203.0.113.7']) assert.equal(raw.includes(personal), false, personal);
        // Still findable through the pseudonym, with everything personal gone.
        const aliceEntries = (await log.query({ userId: 'alice', action: 'model.request' })).entries;
        assert.deepEqual(aliceEntries.map((e) => [e.seq, e.userId, e.personal, e.hasContent, e.erasedAt !== null]), [
          [1, null, null, false, true],
          [3, null, null, false, true],
        ]);
        assert.match(aliceEntries[0]!.contentHash ?? '', /^[0-9a-f]{64}$/);
        const bob = (await log.query({ userId: 'bob' })).entries;
        assert.equal(bob[0]!.userId, 'bob');
        assert.equal((await log.eraseUser('alice')).entriesErased, 0);
        assert.equal((await log.verify()).ok, true);
      });
    });

    test('retention deletes a prefix of old entries behind a checkpoint; verify starts from the anchor', async () => {
      await withLog({ retention: { days: 7 } }, async (log, db) => {
        await log.append(request(1));
        await log.append(request(2));
        await new Promise((r) => setTimeout(r, 20));
        const split = new Date();
        await new Promise((r) => setTimeout(r, 20));
        await log.append(request(3));
        await log.append(request(4));
        assert.deepEqual(await log.applyRetention(new Date(split.getTime() - 86_400_000)), { entriesDeleted: 0 });
        const result = await log.applyRetention(new Date(split.getTime() + 7 * 86_400_000));
        assert.deepEqual(result, { entriesDeleted: 2, checkpointSeq: 5 });
        const seqs = (await log.query()).entries.map((e) => [e.seq, e.action]);
        assert.deepEqual(seqs, [[3, 'model.request'], [4, 'model.request'], [5, 'audit.retention']]);
        const report = await log.verify();
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.anchorSeq, 2);
        assert.equal(report.entriesChecked, 3);
        await log.append(request(6));
        assert.equal((await log.verify()).ok, true);
        assert.deepEqual(await log.applyRetention(new Date(split.getTime() + 7 * 86_400_000)), { entriesDeleted: 0 });

        // Deleting one more old entry and moving the anchor is caught: no checkpoint vouches for it.
        const third = (await db.query<{ hash: string }>('SELECT hash FROM conduit_audit_entries WHERE seq = 3')).rows[0]!;
        await db.query('DELETE FROM conduit_audit_entries WHERE seq = 3');
        await db.query('UPDATE conduit_audit_anchor SET seq = 3, hash = $1', [third.hash]);
        const forged = await log.verify();
        assert.equal(forged.ok, false);
        assert.equal(forged.firstBad?.reason, 'anchor_unconfirmed');
      });
    });

    test('retention can remove every old entry, and a second run after more time removes the checkpoint too', async () => {
      await withLog({ retention: { days: 1 } }, async (log) => {
        await log.appendMany([request(1), request(2)]);
        const later = new Date(Date.now() + 2 * 86_400_000);
        assert.deepEqual(await log.applyRetention(later), { entriesDeleted: 2, checkpointSeq: 3 });
        assert.equal((await log.verify()).ok, true);
        const evenLater = new Date(Date.now() + 4 * 86_400_000);
        assert.deepEqual(await log.applyRetention(evenLater), { entriesDeleted: 1, checkpointSeq: 4 });
        const report = await log.verify();
        assert.equal(report.ok, true, JSON.stringify(report));
        assert.equal(report.anchorSeq, 3);
      });
    });

    test('query filters by time, actor, action and user, and pages with a cursor', async () => {
      await withLog({}, async (log) => {
        const t0 = new Date(Date.now() - 1000);
        for (let i = 1; i <= 7; i++) await log.append(request(i, { actor: i % 2 ? 'key_a' : 'key_b', userId: i <= 3 ? 'u1' : 'u2' }));
        await log.append({ actor: 'admin', action: 'admin.emergency_stop', outcome: 'success' });
        assert.deepEqual((await log.query({ actor: 'key_a' })).entries.map((e) => e.seq), [1, 3, 5, 7]);
        assert.deepEqual((await log.query({ action: 'admin.emergency_stop' })).entries.map((e) => e.seq), [8]);
        assert.deepEqual((await log.query({ userId: 'u1' })).entries.map((e) => e.seq), [1, 2, 3]);
        assert.equal((await log.query({ from: t0, to: new Date(Date.now() + 1000) })).entries.length, 8);
        assert.equal((await log.query({ from: new Date(Date.now() + 1000) })).entries.length, 0);
        const seen: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await log.query({ userId: 'u2', limit: 2, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...page.entries.map((e) => e.seq));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        assert.deepEqual(seen, [4, 5, 6, 7]);
        assert.deepEqual((await log.query({ order: 'desc', limit: 3 })).entries.map((e) => e.seq), [8, 7, 6]);
        await assert.rejects(log.query({ cursor: 'bogus' }), /invalid audit cursor/);
      });
    });

    test('the batching buffer groups appends into transactions and resolves durable appends after commit', async () => {
      await withLog({}, async (log) => {
        const buffer = createAuditBuffer(log, { maxBatch: 10, maxDelayMs: 5 });
        for (let i = 1; i <= 15; i++) buffer.append(request(i));
        const durable = await buffer.append(request(16), { awaitDurable: true });
        assert.equal(durable.seq, 16);
        assert.equal(buffer.pending, 0);
        buffer.append(request(17));
        await buffer.close();
        assert.throws(() => buffer.append(request(18)), /closed/);
        const entries = (await log.query({ limit: 100 })).entries;
        assert.deepEqual(entries.map((e) => e.requestId), Array.from({ length: 17 }, (_, i) => `req-${i + 1}`));
        assert.equal((await log.verify()).ok, true);
      });
    });

    test('concurrent appends stay one linear chain with no gaps or duplicates', async () => {
      await withLog({}, async (log, db, url) => {
        // PostgreSQL: a second pool stands in for a second gateway replica.
        const otherDb = url === undefined ? db : await openPgDatabase({ connectionString: url, max: 4 });
        try {
          const other = await createAuditLog({ db: otherDb });
          const perReplica = 60;
          await Promise.all([
            ...Array.from({ length: perReplica }, (_, i) => log.append(request(i, { actor: 'replica-a' }))),
            ...Array.from({ length: perReplica }, (_, i) => other.append(request(1000 + i, { actor: 'replica-b' }))),
            // Both replicas retrying the same request at once still store it once.
            ...Array.from({ length: 5 }, () => log.append(request(5000))),
            ...Array.from({ length: 5 }, () => other.append(request(5000))),
            log.appendMany([request(6000), request(6001)]),
            other.appendMany([request(7000), request(7001)]),
          ]);
          const total = perReplica * 2 + 1 + 4;
          const rows = (await db.query<{ seq: number | string; request_id: string }>('SELECT seq, request_id FROM conduit_audit_entries ORDER BY seq')).rows;
          assert.deepEqual(rows.map((r) => Number(r.seq)), Array.from({ length: total }, (_, i) => i + 1));
          assert.equal(new Set(rows.map((r) => r.request_id)).size, total);
          const report = await other.verify();
          assert.equal(report.ok, true, JSON.stringify(report));
          assert.equal(report.entriesChecked, total);
        } finally {
          if (otherDb !== db) await otherDb.close();
        }
      });
    });
  });
}
