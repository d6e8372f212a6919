import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookNotifier } from '../../src/budgets/webhook-notifier.js';
import type { BudgetAlert } from '../../src/budgets/budget-alert.js';
import { createBudgetManager } from '../../src/budgets/budget-manager.js';
import { createEmbeddedBudgetStore } from '../../src/budgets/embedded-budget-store.js';

const ALERT: BudgetAlert = {
  level: 'soft',
  budgetId: 'g',
  budget: 'g',
  scope: 'global',
  scopeValue: 'global',
  window: 'day',
  windowStart: '2025-06-15T00:00:00.000Z',
  windowEnd: '2025-06-16T00:00:00.000Z',
  limitUsd: 10,
  spentUsd: 8,
  threshold: 0.8,
  message: 'budget g at 80%',
  ts: '2025-06-15T10:00:00.000Z',
};

/** A webhook receiver on a loopback port that answers with the given statuses in turn (or hangs on 0). */
async function receiver(statuses: number[]) {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], auth: req.headers.authorization, body: JSON.parse(data) as unknown });
      const status = statuses.shift() ?? 200;
      if (status === 0) return; // hang: the notifier's timeout must fire
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('webhook notifier', () => {
  test('POSTs the alert as JSON and retries once after a failure', async () => {
    const hook = await receiver([500, 200]);
    try {
      const notify = createWebhookNotifier({ url: hook.url, retryDelayMs: 10, headers: { authorization: 'Bearer t' } });
      await notify(ALERT);
      assert.equal(hook.bodies.length, 2);
      assert.deepEqual(hook.bodies[1], { contentType: 'application/json', auth: 'Bearer t', body: ALERT });
    } finally {
      await hook.close();
    }
  });

  test('gives up after the single retry, including on timeouts', async () => {
    const hook = await receiver([0, 503]);
    try {
      const notify = createWebhookNotifier({ url: hook.url, retryDelayMs: 10, timeoutMs: 200 });
      await assert.rejects(notify(ALERT), /webhook failed twice for g \(soft\): webhook answered HTTP 503/);
      assert.equal(hook.bodies.length, 2);
    } finally {
      await hook.close();
    }
  });

  test('wired into the manager: one POST at 80%, fire-and-forget, failures go to onError', async () => {
    const hook = await receiver([]);
    try {
      const errors: unknown[] = [];
      const manager = createBudgetManager({
        store: createEmbeddedBudgetStore(),
        budgets: [{ id: 'ops/day', scope: 'global', window: 'day', limitUsd: 1 }],
        onAlert: createWebhookNotifier({ url: hook.url, retryDelayMs: 10 }),
        onError: (e) => errors.push(e),
      });
      for (let i = 0; i < 9; i++) {
        const { reservation } = await manager.reserve({}, 0.1);
        await manager.commit(reservation, 0.1);
      }
      await manager.flushAlerts();
      assert.equal(hook.bodies.length, 1);
      assert.equal((hook.bodies[0] as { body: BudgetAlert }).body.budget, 'ops/day');
      assert.deepEqual(errors, []);
    } finally {
      await hook.close();
    }
  });
});
