import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBudgetManager } from '../../src/budgets/budget-manager.js';
import type { BudgetManagerOptions } from '../../src/budgets/budget-manager.js';
import { createEmbeddedBudgetStore } from '../../src/budgets/embedded-budget-store.js';
import type { BudgetAlert } from '../../src/budgets/budget-alert.js';
import type { BudgetStore } from '../../src/budgets/budget-store.js';
import { ConduitError } from '../../src/core/errors.js';
import { createUsageLedger } from '../../src/ledger/usage-ledger.js';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';
import { windowBounds } from '../../src/budgets/budget-window.js';

const T0 = Date.UTC(2025, 5, 15, 10, 30); // 2025-06-15T10:30Z

function setup(over: Partial<BudgetManagerOptions> & Pick<BudgetManagerOptions, 'budgets'>) {
  const clock = { t: T0 };
  const alerts: BudgetAlert[] = [];
  const errors: unknown[] = [];
  const manager = createBudgetManager({
    store: createEmbeddedBudgetStore(),
    now: () => clock.t,
    onAlert: (a) => {
      alerts.push(a);
    },
    onError: (e) => errors.push(e),
    ...over,
  });
  return { manager, clock, alerts, errors };
}

async function spend(manager: ReturnType<typeof setup>['manager'], ctx: object, usd: number, actual = usd) {
  const { reservation } = await manager.reserve(ctx, usd);
  await manager.commit(reservation, actual);
  return reservation;
}

describe('BudgetManager', () => {
  test('refuses at 100% with a 429 insufficient_quota error that names the budget', async () => {
    const { manager } = setup({ budgets: [{ id: 'team-alpha/day', scope: 'team', scopeId: 'alpha', window: 'day', limitUsd: 10 }] });
    const ctx = { keyId: 'k1', team: 'alpha' };
    await spend(manager, ctx, 6);
    await spend(manager, ctx, 3.5, 4.02); // actual above estimate: spend may pass the limit
    const err = await manager.reserve(ctx, 0.01).then(
      () => assert.fail('should refuse'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConduitError);
    assert.equal(err.kind, 'policy_refusal');
    assert.equal(err.status, 429);
    assert.equal(err.code, 'insufficient_quota');
    assert.equal(err.retryable, false);
    assert.match(err.message, /^budget team-alpha\/day exhausted: \$10\.02 of \$10\.00 spent \(day window, resets 2025-06-16T00:00:00\.000Z\)$/);
    assert.equal(err.retryAfterMs, Date.UTC(2025, 5, 16) - T0);
    // Another team is not affected.
    await spend(manager, { team: 'beta' }, 50);
  });

  test('an estimate that does not fit is refused before the limit is reached, naming the budget', async () => {
    const { manager } = setup({ budgets: [{ id: 'per-key', scope: 'key', window: 'hour', limitUsd: 1 }] });
    await spend(manager, { keyId: 'k1' }, 0.9);
    await assert.rejects(manager.reserve({ keyId: 'k1' }, 0.2), /budget per-key\[k1\] would be exceeded: \$0\.90 spent \+ \$0\.20 estimated for this request > \$1\.00 limit/);
    const { reservation } = await manager.reserve({ keyId: 'k1' }, 0.1);
    assert.equal(reservation.enforced, true);
  });

  test('soft alert fires once at 80%, then an exhausted alert once at the first refusal', async () => {
    const { manager, alerts } = setup({ budgets: [{ id: 'g', scope: 'global', window: 'month', limitUsd: 1 }] });
    for (let i = 0; i < 7; i++) await spend(manager, {}, 0.1);
    await manager.flushAlerts();
    assert.equal(alerts.length, 0, 'no alert at 70%');
    await spend(manager, {}, 0.1);
    await manager.flushAlerts();
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.level, 'soft');
    assert.equal(alerts[0]!.spentUsd, 0.8);
    assert.equal(alerts[0]!.threshold, 0.8);
    assert.equal(alerts[0]!.windowStart, '2025-06-01T00:00:00.000Z');
    assert.match(alerts[0]!.message, /budget g at 80%: \$0\.80 of \$1\.00/);
    await spend(manager, {}, 0.1);
    await spend(manager, {}, 0.1);
    await assert.rejects(manager.reserve({}, 0.1), /budget g exhausted: \$1\.00 of \$1\.00 spent/);
    await assert.rejects(manager.reserve({}, 0.1), /exhausted/);
    await manager.flushAlerts();
    assert.deepEqual(alerts.map((a) => a.level), ['soft', 'exhausted']);
  });

  test('calendar windows roll over in UTC: the budget resets at the boundary', async () => {
    const { manager, clock, alerts } = setup({ budgets: [{ id: 'hourly', scope: 'global', window: 'hour', limitUsd: 1, softAlertAt: 0.5 }] });
    await spend(manager, {}, 1);
    await assert.rejects(manager.reserve({}, 0.01), /hourly exhausted/);
    clock.t = Date.UTC(2025, 5, 15, 10, 59, 59, 999);
    await assert.rejects(manager.reserve({}, 0.01), /resets 2025-06-15T11:00:00.000Z/);
    clock.t = Date.UTC(2025, 5, 15, 11, 0, 0);
    const status = await manager.status({});
    assert.equal(status[0]!.spentUsd, 0);
    assert.equal(status[0]!.windowStart, Date.UTC(2025, 5, 15, 11));
    await spend(manager, {}, 0.6);
    await manager.flushAlerts();
    // One soft alert per window: the new hour gets its own.
    assert.deepEqual(alerts.map((a) => [a.level, a.windowStart]), [
      ['soft', '2025-06-15T10:00:00.000Z'],
      ['exhausted', '2025-06-15T10:00:00.000Z'],
      ['soft', '2025-06-15T11:00:00.000Z'],
    ]);
    assert.deepEqual(windowBounds('month', Date.UTC(2025, 11, 31, 23)), { start: Date.UTC(2025, 11, 1), end: Date.UTC(2026, 0, 1) });
    assert.deepEqual(windowBounds('day', Date.UTC(2024, 1, 29, 5)), { start: Date.UTC(2024, 1, 29), end: Date.UTC(2024, 2, 1) });
  });

  test('per-key, team and global budgets all apply, each counted separately', async () => {
    const { manager } = setup({
      budgets: [
        { id: 'each-key', scope: 'key', scopeId: '*', window: 'day', limitUsd: 1 },
        { id: 'team-a', scope: 'team', scopeId: 'a', window: 'day', limitUsd: 1.5 },
        { id: 'global', scope: 'global', window: 'day', limitUsd: 2 },
      ],
    });
    const r = await spend(manager, { keyId: 'k1', team: 'a' }, 1);
    assert.deepEqual(r.budgets.map((b) => b.budget), ['each-key[k1]', 'team-a', 'global']);
    // k1 is spent; k2 has its own $1 but team a has only $0.50 left.
    await assert.rejects(manager.reserve({ keyId: 'k1', team: 'a' }, 0.1), /each-key\[k1\] exhausted/);
    await assert.rejects(manager.reserve({ keyId: 'k2', team: 'a' }, 0.6), /team-a would be exceeded/);
    await spend(manager, { keyId: 'k2', team: 'a' }, 0.5);
    await assert.rejects(manager.reserve({ keyId: 'k3', team: 'a' }, 0.01), /team-a exhausted/);
    // Another team's key: only global ($0.50 left) binds.
    await assert.rejects(manager.reserve({ keyId: 'k4', team: 'b' }, 0.6), /global would be exceeded/);
    await spend(manager, { keyId: 'k4', team: 'b' }, 0.5);
    await assert.rejects(manager.reserve({ keyId: 'k5' }, 0.01), /global exhausted/);
    const status = await manager.status({ keyId: 'k2', team: 'a' });
    assert.deepEqual(status.map((s) => [s.budget, s.spentUsd, s.remainingUsd]), [
      ['each-key[k2]', 0.5, 0.5],
      ['team-a', 1.5, 0],
      ['global', 2, 0],
    ]);
  });

  test('release frees the hold without charging; commit and release are idempotent', async () => {
    const { manager } = setup({ budgets: [{ id: 'g', scope: 'global', window: 'day', limitUsd: 1 }] });
    const a = (await manager.reserve({}, 0.6)).reservation;
    await assert.rejects(manager.reserve({}, 0.6), /would be exceeded: \$0\.00 spent \+ \$0\.60 in flight/);
    await manager.release(a);
    await manager.release(a);
    const b = (await manager.reserve({}, 0.6)).reservation;
    await manager.commit(b, 0.3);
    await manager.commit(b, 0.3);
    assert.equal((await manager.status({}))[0]!.spentUsd, 0.3);
    // Unknown actual cost (no price): charge the estimate rather than nothing.
    const c = (await manager.reserve({}, 0.25)).reservation;
    await manager.commit(c, undefined);
    assert.equal((await manager.status({}))[0]!.spentUsd, 0.55);
  });

  test('counters are rebuilt from the ledger on start (the SQL ledger is the source of truth)', async () => {
    const db = await openPGliteDatabase();
    try {
      const ledger = await createUsageLedger({ db });
      const usage = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      const base = { model: 'm', provider: 'p', servedModel: 'm', usage, status: 'ok' as const, streamed: false, latencyMs: 1 };
      await ledger.recordMany([
        { ...base, requestId: 'today-1', ts: Date.UTC(2025, 5, 15, 1), team: 'alpha', costUsd: 4 },
        { ...base, requestId: 'today-2', ts: Date.UTC(2025, 5, 15, 9), team: 'alpha', costUsd: 5.5 },
        { ...base, requestId: 'yesterday', ts: Date.UTC(2025, 5, 14, 23), team: 'alpha', costUsd: 100 },
        { ...base, requestId: 'other-team', ts: Date.UTC(2025, 5, 15, 9), team: 'beta', costUsd: 100 },
      ]);
      // A "restarted" process: a fresh embedded store.
      const { manager } = setup({ ledger, budgets: [{ id: 'team-alpha/day', scope: 'team', scopeId: 'alpha', window: 'day', limitUsd: 10 }] });
      await assert.rejects(manager.reserve({ team: 'alpha' }, 0.6), /team-alpha\/day would be exceeded: \$9\.50 spent/);
      await spend(manager, { team: 'alpha' }, 0.5);
      await assert.rejects(manager.reserve({ team: 'alpha' }, 0.01), /team-alpha\/day exhausted: \$10\.00 of \$10\.00/);
    } finally {
      await db.close();
    }
  });

  test('fail mode: closed refuses with 503, open admits unenforced, both report the error', async () => {
    const broken: BudgetStore = {
      kind: 'redis',
      reserve: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { name: 'Error' })),
      initialize: () => Promise.reject(new Error('down')),
      settle: () => Promise.reject(new Error('down')),
      read: () => Promise.reject(new Error('down')),
      claimOnce: () => Promise.reject(new Error('down')),
      close: async () => {},
    };
    const budgets = [{ id: 'g', scope: 'global' as const, window: 'day' as const, limitUsd: 1 }];
    const closed = setup({ store: broken, budgets, failMode: 'closed' });
    await assert.rejects(closed.manager.reserve({}, 0.1), (e: unknown) => e instanceof ConduitError && e.status === 503 && e.code === 'budget_store_unavailable');
    assert.equal(closed.errors.length, 1);

    const open = setup({ store: broken, budgets, failMode: 'open' });
    const { reservation } = await open.manager.reserve({}, 0.1);
    assert.equal(reservation.enforced, false);
    await open.manager.commit(reservation, 0.1); // nothing to settle, no throw
    assert.equal(open.errors.length, 1);

    // A script bug is never hidden by fail-open.
    const buggy: BudgetStore = { ...broken, reserve: () => Promise.reject(Object.assign(new Error('ERR user_script:3: bad'), { name: 'ReplyError' })) };
    const b = setup({ store: buggy, budgets, failMode: 'open' });
    await assert.rejects(b.manager.reserve({}, 0.1), (e: unknown) => e instanceof ConduitError && e.kind === 'internal');
  });

  test('no applicable budget admits without touching the store; invalid rules fail at construction', async () => {
    const { manager } = setup({ budgets: [{ id: 'team-x', scope: 'team', scopeId: 'x', window: 'day', limitUsd: 0 }] });
    const { reservation } = await manager.reserve({ keyId: 'k', team: 'y' }, 5);
    assert.deepEqual(reservation.budgets, []);
    await assert.rejects(manager.reserve({ team: 'x' }, 0), /team-x exhausted: \$0\.00 of \$0\.00/);
    await assert.rejects(manager.reserve({}, -1), /non-negative/);
    assert.throws(() => setup({ budgets: [{ id: 'a', scope: 'global', window: 'week' as never, limitUsd: 1 }] }), /window must be hour, day or month/);
    assert.throws(() => setup({ budgets: [{ id: 'a', scope: 'global', window: 'day', limitUsd: 1 }, { id: 'a', scope: 'key', window: 'day', limitUsd: 1 }] }), /duplicate budget id 'a'/);
    assert.throws(() => setup({ budgets: [{ id: 'a', scope: 'global', window: 'day', limitUsd: 1, softAlertAt: 1.5 }] }), /softAlertAt/);
  });
});
