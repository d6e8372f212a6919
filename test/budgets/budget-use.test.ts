/** Budget use read from the ledger: the figure the console shows and the `budget_use` alert watches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';
import { createUsageLedger } from '../../src/ledger/index.js';
import { readBudgetUse } from '../../src/budgets/index.js';
import { defaultAlertRules, type AlertRuleContext } from '../../src/observability/alerting/alert-rules.js';

const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

test('each rule reports its window spend; a per-key rule reports the key closest to its limit; the alert rule fires at 90 %', async () => {
  const db = await openPGliteDatabase();
  try {
    const ledger = await createUsageLedger({ db });
    const now = Date.UTC(2026, 10, 25, 12, 30);
    const event = (requestId: string, keyId: string, costUsd: number, ts = now - 60_000) =>
      ({ requestId, ts, keyId, model: 'm', provider: 'openai', servedModel: 'm', usage, costUsd, status: 'ok', streamed: false, latencyMs: 1 }) as const;
    await ledger.recordMany([event('a', 'k1', 2), event('b', 'k1', 7.5), event('c', 'k2', 3), event('old', 'k1', 100, Date.UTC(2026, 10, 24, 12))]);

    const use = await readBudgetUse(
      ledger,
      [
        { id: 'global-day', scope: 'global', window: 'day', limitUsd: 20 },
        { id: 'each-key-day', scope: 'key', scopeId: '*', window: 'day', limitUsd: 10 },
        { id: 'k2-hour', scope: 'key', scopeId: 'k2', window: 'hour', limitUsd: 6 },
      ],
      now,
    );
    assert.deepEqual(
      use.map((u) => [u.id, u.scopeValue, u.spentUsd, u.used]),
      [
        ['global-day', 'global', 12.5, 0.625],
        ['each-key-day', 'k1', 9.5, 0.95],
        ['k2-hour', 'k2', 3, 0.5],
      ],
    );
    assert.equal(use[0]!.resetsAt, '2026-11-26T00:00:00.000Z');

    const rule = defaultAlertRules().find((r) => r.key === 'budget_use')!;
    const readings = use.map((u) => ({ scope: `${u.scope}:${u.scopeValue}/${u.window}`, usedUsd: u.spentUsd, limitUsd: u.limitUsd }));
    const active = rule.observe({ budgets: readings } as unknown as AlertRuleContext).filter((i) => i.active);
    assert.deepEqual(active.map((i) => i.labels.budget), ['key:k1/day']);
  } finally {
    await db.close();
  }
});
