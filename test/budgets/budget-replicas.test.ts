/**
 * Budgets across replicas: two budget managers (two gateway replicas) sharing one Redis, each with
 * its own connection, racing for the same budget.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBudgetManager } from '../../src/budgets/budget-manager.js';
import type { BudgetManager } from '../../src/budgets/budget-manager.js';
import type { BudgetRule } from '../../src/budgets/budget-rule.js';
import { ConduitError } from '../../src/core/errors.js';
import { createUsageLedger } from '../../src/ledger/usage-ledger.js';
import type { UsageLedger } from '../../src/ledger/usage-ledger.js';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';
import { openRedis } from '../../src/store/redis/open-redis.js';
import { createRedisBudgetStore } from '../../src/budgets/redis-budget-store.js';
import { budgetStoreFactories, deleteKeys, testRedisPrefix, TEST_REDIS_URL } from './budget-stores.js';

const ONE_DOLLAR: BudgetRule[] = [{ id: 'team-alpha/day', scope: 'team', scopeId: 'alpha', window: 'day', limitUsd: 1 }];
const CTX = { keyId: 'k', team: 'alpha' };

async function twoReplicas(budgets: BudgetRule[], extra: { ledger?: UsageLedger } = {}) {
  const redis = budgetStoreFactories.find((f) => f.name === 'redis')!;
  const { stores, flush, dispose } = await redis.open(2);
  const managers = stores.map((store) => createBudgetManager({ store, budgets, ...extra }));
  return { managers, flush, dispose };
}

interface Outcome {
  admitted: number;
  refusals: ConduitError[];
}

/** n concurrent requests split over the replicas; each reserves `estimate`, waits, and commits `actual`. */
async function load(managers: BudgetManager[], n: number, estimate: number, actual: number, hold: () => Promise<void>): Promise<Outcome & { maxInFlight: number }> {
  let admitted = 0;
  let inFlight = 0; // counted from before reserve until after commit: an upper bound on the requests really in flight
  let maxInFlight = 0;
  const refusals: ConduitError[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const { reservation } = await managers[i % managers.length]!.reserve(CTX, estimate);
        admitted++;
        await hold();
        await managers[i % managers.length]!.commit(reservation, actual);
      } catch (err) {
        if (!(err instanceof ConduitError)) throw err;
        refusals.push(err);
      } finally {
        inFlight--;
      }
    }),
  );
  return { admitted, refusals, maxInFlight };
}

async function spentOf(manager: BudgetManager): Promise<number> {
  return (await manager.status(CTX))[0]!.spentUsd;
}

describe('budgets across two replicas sharing Redis', () => {
  test('$1.00 budget, 50 concurrent $0.05 requests: exactly 20 succeed and spend is exactly $1.00', async () => {
    const { managers, dispose } = await twoReplicas(ONE_DOLLAR);
    try {
      const out = await load(managers, 50, 0.05, 0.05, () => sleep(Math.random() * 20));
      assert.equal(out.admitted, 20);
      assert.equal(out.refusals.length, 30);
      for (const r of out.refusals) {
        assert.equal(r.code, 'insufficient_quota');
        assert.match(r.message, /budget team-alpha\/day (exhausted|would be exceeded)/);
      }
      // Overshoot bound with estimates equal to actuals: 0. Both replicas see the same number.
      assert.equal(await spentOf(managers[0]!), 1);
      assert.equal(await spentOf(managers[1]!), 1);
    } finally {
      await dispose();
    }
  });

  test('actuals above estimates: overshoot is bounded by the in-flight difference', async () => {
    const estimate = 0.05;
    const actual = 0.08;
    // All 50 reserve before any commits: the 20 admitted are all in flight at the last admission.
    {
      const { managers, dispose } = await twoReplicas(ONE_DOLLAR);
      try {
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        const running = load(managers, 50, estimate, actual, () => gate);
        // Open the gate once $1.00 is held: from then on nothing more can be admitted, whatever the order.
        while ((await managers[0]!.status(CTX))[0]!.reservedUsd < 1 - 1e-9) await sleep(5);
        open();
        const out = await running;
        assert.equal(out.admitted, 20);
        const spent = await spentOf(managers[0]!);
        const bound = 1 + out.admitted * (actual - estimate);
        assert.ok(Math.abs(spent - 1.6) < 1e-9, `spent ${spent}`);
        assert.ok(spent <= bound + 1e-9, `spent ${spent} > bound ${bound}`);
        await assert.rejects(managers[1]!.reserve(CTX, 0), /exhausted: \$1\.60 of \$1\.00 spent/);
      } finally {
        await dispose();
      }
    }
    // Interleaved: requests finish at random times, so later ones see earlier actuals.
    {
      const { managers, dispose } = await twoReplicas(ONE_DOLLAR);
      try {
        const out = await load(managers, 50, estimate, actual, () => sleep(Math.random() * 30));
        const spent = await spentOf(managers[1]!);
        assert.ok(out.admitted >= 1 && out.admitted <= 20, `admitted ${out.admitted}`);
        assert.ok(Math.abs(spent - out.admitted * actual) < 1e-9);
        // In flight at the last admission can be at most the most requests ever in flight at once.
        const bound = 1 + Math.min(out.maxInFlight, out.admitted) * (actual - estimate);
        assert.ok(spent <= bound + 1e-9, `spent ${spent} > bound ${bound}`);
      } finally {
        await dispose();
      }
    }
  });

  test('after Redis loses its data, counters are rebuilt from the ledger', async () => {
    const db = await openPGliteDatabase();
    try {
      const ledger = await createUsageLedger({ db });
      const { managers, flush, dispose } = await twoReplicas(ONE_DOLLAR, { ledger });
      try {
        const usage = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
        for (let i = 0; i < 7; i++) {
          const { reservation } = await managers[i % 2]!.reserve(CTX, 0.1);
          await managers[i % 2]!.commit(reservation, 0.1);
          await ledger.record({ requestId: `r${i}`, ts: reservation.startedAt, keyId: 'k', team: 'alpha', model: 'm', provider: 'p', servedModel: 'm', usage, costUsd: 0.1, status: 'ok', streamed: false, latencyMs: 1 });
        }
        await flush(); // FLUSHALL, as far as this test's keys are concerned
        const status = await managers[1]!.status(CTX);
        assert.ok(Math.abs(status[0]!.spentUsd - 0.7) < 1e-9, `rebuilt spend ${status[0]!.spentUsd}`);
        await assert.rejects(managers[0]!.reserve(CTX, 0.31), /would be exceeded: \$0\.70 spent/);
      } finally {
        await dispose();
      }
    } finally {
      await db.close();
    }
  });

  test('Redis down: failMode closed refuses with 503, open admits; service resumes when Redis is back', async () => {
    const dead = openRedis('redis://127.0.0.1:1', { prefix: testRedisPrefix(), connectTimeoutMs: 300, commandTimeoutMs: 300 });
    try {
      const errors: unknown[] = [];
      const closed = createBudgetManager({ store: createRedisBudgetStore({ redis: dead }), budgets: ONE_DOLLAR, failMode: 'closed', onError: (e) => errors.push(e) });
      await assert.rejects(closed.reserve(CTX, 0.1), (e: unknown) => e instanceof ConduitError && e.status === 503);
      const open = createBudgetManager({ store: createRedisBudgetStore({ redis: dead }), budgets: ONE_DOLLAR, failMode: 'open', onError: (e) => errors.push(e) });
      const { reservation } = await open.reserve(CTX, 0.1);
      assert.equal(reservation.enforced, false);
      assert.equal(errors.length, 2);
    } finally {
      await dead.close();
    }
    // The same manager code against a live Redis enforces again.
    const live = openRedis(TEST_REDIS_URL, { prefix: testRedisPrefix() });
    try {
      const m = createBudgetManager({ store: createRedisBudgetStore({ redis: live }), budgets: ONE_DOLLAR, failMode: 'open' });
      assert.equal((await m.reserve(CTX, 0.1)).reservation.enforced, true);
    } finally {
      await deleteKeys(live);
      await live.close();
    }
  });
});
