import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../support/databases.js';
import { createUsageLedger } from '../../src/ledger/usage-ledger.js';
import type { UsageEvent } from '../../src/ledger/usage-event.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0); // 2025-03-10T12:00Z
const HOUR = 3_600_000;

function event(over: Partial<UsageEvent> & { requestId: string }): UsageEvent {
  return {
    ts: T0,
    model: 'gpt-4o',
    provider: 'openai',
    servedModel: 'gpt-4o-2024-08-06',
    usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    costUsd: 0.01,
    status: 'ok',
    streamed: false,
    latencyMs: 120,
    ...over,
  };
}

// A small fixture whose totals are worked out by hand below.
const FIXTURE: UsageEvent[] = [
  event({ requestId: 'r1', keyId: 'k1', userId: 'u1', team: 'alpha', model: 'gpt-4o', provider: 'openai', costUsd: 0.1, usage: { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 200, cacheWriteTokens: 0, reasoningTokens: 0 } }),
  event({ requestId: 'r2', keyId: 'k1', userId: 'u2', team: 'alpha', model: 'claude', provider: 'anthropic', costUsd: 0.2, ts: T0 + HOUR, usage: { inputTokens: 2000, outputTokens: 200, cachedInputTokens: 500, cacheWriteTokens: 100, reasoningTokens: 0 } }),
  event({ requestId: 'r3', keyId: 'k2', userId: 'u2', team: 'beta', model: 'gpt-4o', provider: 'openai', costUsd: 0.3, ts: T0 + 24 * HOUR, usage: { inputTokens: 3000, outputTokens: 300, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 50 } }),
  event({ requestId: 'r4', keyId: 'k2', userId: 'u1', team: 'beta', model: 'local', provider: 'llamacpp', costUsd: null, ts: T0 + 25 * HOUR, status: 'error', usage: { inputTokens: 40, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
  event({ requestId: 'r5', model: 'gpt-4o', provider: 'openai', costUsd: 0.05, ts: T0 + 2 * HOUR, usage: { inputTokens: 500, outputTokens: 50, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
];
const FROM = T0 - HOUR;
const TO = T0 + 48 * HOUR;

for (const factory of databaseFactories) {
  describe(`UsageLedger conformance: ${factory.name}`, () => {
    test('record is idempotent by requestId: the same request twice counts once', async () => {
      const { db, dispose } = await factory.open();
      try {
        const ledger = await createUsageLedger({ db });
        assert.equal(await ledger.record(event({ requestId: 'same', costUsd: 0.25 })), true);
        // A replay with different numbers is still a no-op: the first write wins.
        assert.equal(await ledger.record(event({ requestId: 'same', costUsd: 9 })), false);
        const total = await ledger.total({ from: FROM, to: TO });
        assert.equal(total.requests, 1);
        assert.equal(total.costUsd, 0.25);

        assert.deepEqual(
          await ledger.recordMany([event({ requestId: 'a' }), event({ requestId: 'same' }), event({ requestId: 'b' }), event({ requestId: 'a' })]),
          [true, false, true, false],
        );
        const after = await ledger.total({ from: FROM, to: TO });
        assert.equal(after.requests, 3);
        assert.equal(after.costUsd, 0.27);
        // Running the migrations again (a second replica starting) keeps the data.
        const again = await createUsageLedger({ db });
        assert.equal((await again.total({ from: FROM, to: TO })).requests, 3);
      } finally {
        await dispose();
      }
    });

    test('spend grouped by key, user, team, model, provider and day, most expensive first', async () => {
      const { db, dispose } = await factory.open();
      try {
        const ledger = await createUsageLedger({ db });
        assert.deepEqual(await ledger.recordMany(FIXTURE), [true, true, true, true, true]);
        const range = { from: FROM, to: TO };
        const pick = (rows: Awaited<ReturnType<typeof ledger.spend>>) => rows.map((r) => [r.group, r.requests, r.costUsd]);

        // k1 (0.1 + 0.2) ties k2 (0.3) exactly — numeric sums, no float drift — and ties sort by group.
        assert.deepEqual(pick(await ledger.spend({ ...range, groupBy: 'key' })), [
          ['k1', 2, 0.3],
          ['k2', 2, 0.3],
          [null, 1, 0.05],
        ]);
        assert.deepEqual(pick(await ledger.spend({ ...range, groupBy: 'user' })), [
          ['u2', 2, 0.5],
          ['u1', 2, 0.1],
          [null, 1, 0.05],
        ]);
        assert.deepEqual(pick(await ledger.spend({ ...range, groupBy: 'team' })), [
          ['alpha', 2, 0.3],
          ['beta', 2, 0.3],
          [null, 1, 0.05],
        ]);
        assert.deepEqual(pick(await ledger.spend({ ...range, groupBy: 'model' })), [
          ['gpt-4o', 3, 0.45],
          ['claude', 1, 0.2],
          ['local', 1, 0],
        ]);
        assert.deepEqual(pick(await ledger.spend({ ...range, groupBy: 'provider' })), [
          ['openai', 3, 0.45],
          ['anthropic', 1, 0.2],
          ['llamacpp', 1, 0],
        ]);
        const days = await ledger.spend({ ...range, groupBy: 'day' });
        assert.deepEqual(pick(days), [
          ['2025-03-10', 3, 0.35],
          ['2025-03-11', 2, 0.3],
        ]);
        // Token sums and the unpriced count, by hand: day 1 = r1+r2+r5, day 2 = r3+r4.
        assert.deepEqual(days[0], { group: '2025-03-10', requests: 3, inputTokens: 3500, outputTokens: 350, cachedInputTokens: 700, costUsd: 0.35, unpricedRequests: 0 });
        assert.deepEqual(days[1], { group: '2025-03-11', requests: 2, inputTokens: 3040, outputTokens: 304, cachedInputTokens: 0, costUsd: 0.3, unpricedRequests: 1 });

        const total = await ledger.total(range);
        assert.deepEqual(total, { requests: 5, inputTokens: 6540, outputTokens: 654, cachedInputTokens: 700, costUsd: 0.65, unpricedRequests: 1 });
      } finally {
        await dispose();
      }
    });

    test('time range is [from, to) and filters narrow the rows', async () => {
      const { db, dispose } = await factory.open();
      try {
        const ledger = await createUsageLedger({ db });
        await ledger.recordMany(FIXTURE);
        // r1 at T0 is included at from=T0; r2 at T0+1h is excluded at to=T0+1h.
        assert.deepEqual(await ledger.total({ from: T0, to: T0 + HOUR }).then((t) => [t.requests, t.costUsd]), [1, 0.1]);
        assert.deepEqual(await ledger.total({ from: new Date(T0 + HOUR), to: new Date(T0 + 24 * HOUR) }).then((t) => [t.requests, t.costUsd]), [2, 0.25]);
        assert.deepEqual(await ledger.total({ from: T0 + 26 * HOUR, to: TO }).then((t) => [t.requests, t.costUsd]), [0, 0]);
        assert.deepEqual(await ledger.total({ from: FROM, to: TO, filter: { team: 'alpha' } }).then((t) => [t.requests, t.costUsd]), [2, 0.3]);
        assert.deepEqual(await ledger.total({ from: FROM, to: TO, filter: { keyId: 'k2', status: 'ok' } }).then((t) => [t.requests, t.costUsd]), [1, 0.3]);
        const byKeyInAlpha = await ledger.spend({ from: FROM, to: TO, groupBy: 'user', filter: { team: 'alpha' } });
        assert.deepEqual(byKeyInAlpha.map((r) => [r.group, r.costUsd]), [['u2', 0.2], ['u1', 0.1]]);
        await assert.rejects(ledger.total({ from: TO, to: FROM }), /before/);
        await assert.rejects(ledger.spend({ from: FROM, to: TO, groupBy: 'colour' as never }), /groupBy/);
      } finally {
        await dispose();
      }
    });

    test('every column round-trips, and invalid events are refused before writing', async () => {
      const { db, dispose } = await factory.open();
      try {
        const ledger = await createUsageLedger({ db });
        await ledger.record(event({ requestId: 'full', keyId: 'k', userId: 'u', team: 't', traceId: 'tr-1', streamed: true, status: 'interrupted', metadata: { route: '/v1/chat', n: 2 }, usage: { inputTokens: 7, outputTokens: 5, cachedInputTokens: 3, cacheWriteTokens: 2, reasoningTokens: 1 } }));
        const rows = (await db.query<Record<string, unknown>>('SELECT * FROM conduit_usage_events WHERE request_id = $1', ['full'])).rows;
        assert.equal(rows.length, 1);
        const r = rows[0]!;
        assert.equal(r.key_id, 'k');
        assert.equal(r.trace_id, 'tr-1');
        assert.equal(r.streamed, true);
        assert.equal(r.status, 'interrupted');
        assert.deepEqual(r.metadata, { route: '/v1/chat', n: 2 });
        assert.deepEqual([r.cached_input_tokens, r.cache_write_tokens, r.reasoning_tokens].map(Number), [3, 2, 1]);
        assert.equal(new Date(r.ts as string | Date).getTime(), T0);

        await assert.rejects(ledger.record(event({ requestId: '' })), /requestId/);
        await assert.rejects(ledger.record(event({ requestId: 'x', status: 'weird' as never })), /status/);
        await assert.rejects(ledger.recordMany([event({ requestId: 'y' }), event({ requestId: 'z', costUsd: -1 })]), /costUsd/);
        assert.equal((await ledger.total({ from: FROM, to: TO })).requests, 1, 'a rejected batch writes nothing');
      } finally {
        await dispose();
      }
    });

    test('spend is identical whichever replica asks', async () => {
      const { db, url, dispose } = await factory.open();
      try {
        const replicaA = await createUsageLedger({ db });
        // A second replica: its own connection pool when there is a server, else the same embedded database.
        let second = db;
        if (url !== undefined) {
          const { openPgDatabase } = await import('../../src/store/postgres/pg-database.js');
          second = await openPgDatabase({ connectionString: url, max: 2 });
        }
        try {
          const replicaB = await createUsageLedger({ db: second });
          await Promise.all([replicaA.recordMany(FIXTURE.slice(0, 3)), replicaB.recordMany(FIXTURE.slice(2))]);
          const q = { from: FROM, to: TO, groupBy: 'team' as const };
          const [a, b] = await Promise.all([replicaA.spend(q), replicaB.spend(q)]);
          assert.deepEqual(a, b);
          assert.equal((await replicaB.total({ from: FROM, to: TO })).requests, 5);
        } finally {
          if (second !== db) await second.close();
        }
      } finally {
        await dispose();
      }
    });
  });
}
