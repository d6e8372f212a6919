import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayMetrics } from '../../../src/observability/metrics.js';
import { AlertEngine, WebhookNotifier, defaultAlertRules, quantileBetween } from '../../../src/observability/alerting/index.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const TICK = 15_000;

describe('alert engine against a local webhook receiver', () => {
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver();
  });
  after(() => receiver.close());

  function setup(rules = defaultAlertRules()) {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    let now = 1_700_000_000_000;
    const engine = new AlertEngine({
      rules,
      registry: metrics.registry,
      clock: () => now,
      repeatIntervalMs: 0,
      notifiers: [new WebhookNotifier({ url: `${receiver.url}/slack`, format: 'slack' }), new WebhookNotifier({ url: `${receiver.url}/generic`, format: 'generic' })],
    });
    return { metrics, engine, advance: (ms: number) => void (now += ms), now: () => now };
  }

  test('error rate > 10% fires after 2 minutes, once, and resolves when errors stop', async () => {
    receiver.received.length = 0;
    const { metrics, engine, advance } = setup(defaultAlertRules({ p95_latency: { enabled: false } }));
    await engine.evaluate();
    const sent: string[] = [];
    // 30 % of requests fail with 502 every tick.
    for (let tick = 1; tick <= 12; tick++) {
      advance(TICK);
      for (let i = 0; i < 10; i++) metrics.recordRequest('gpt-4o', 'openai', i < 3 ? 502 : 200, 0.2);
      const out = await engine.evaluate();
      sent.push(...out.map((n) => `${tick}:${n.status}:${n.alert.name}`));
      if (tick === 2) assert.equal(engine.activeAlerts().find((a) => a.name === 'ConduitHighErrorRate')?.state, 'pending', 'pending before 2 minutes');
    }
    // Active from tick 1 (15 s); 2 minutes later is tick 9 (135 s).
    assert.deepEqual(sent.filter((s) => s.includes('ConduitHighErrorRate')), ['9:firing:ConduitHighErrorRate']);
    assert.equal(engine.activeAlerts()[0]?.state, 'firing');
    // Errors stop; once the 1-minute window holds only successes the alert resolves.
    for (let tick = 13; tick <= 18; tick++) {
      advance(TICK);
      for (let i = 0; i < 10; i++) metrics.recordRequest('gpt-4o', 'openai', 200, 0.2);
      const out = await engine.evaluate();
      sent.push(...out.map((n) => `${tick}:${n.status}:${n.alert.name}`));
    }
    // Tick 15: the window (ticks 11→15) holds 3 errors in 40 requests, 7.5 %, under the threshold.
    assert.deepEqual(sent.filter((s) => s.includes('ConduitHighErrorRate')), ['9:firing:ConduitHighErrorRate', '15:resolved:ConduitHighErrorRate']);
    assert.equal(engine.activeAlerts().length, 0);

    const errorRate = receiver.received.filter((r) => JSON.stringify(r.body).includes('ConduitHighErrorRate'));
    assert.equal(errorRate.length, 4);
    const slack = errorRate.filter((r) => r.path === '/slack').map((r) => r.body);
    const generic = errorRate.filter((r) => r.path === '/generic').map((r) => r.body);
    assert.equal(slack.length, 2, 'de-duplicated: one firing and one resolved message per webhook');
    assert.equal(generic.length, 2);
    assert.match(String(slack[0]!.text), /^\[FIRING\] ConduitHighErrorRate/);
    const attachment = (slack[0]!.attachments as Record<string, unknown>[])[0]!;
    assert.equal(attachment.color, '#ffaa00');
    assert.deepEqual((attachment.fields as { title: string; value: string }[]).slice(0, 2).map((f) => f.title), ['Severity', 'Timestamp']);
    assert.equal((attachment.fields as { value: string }[])[0]!.value, 'WARNING');
    assert.match(String(attachment.text), /error rate 30\.0%/);
    assert.match(String(slack[1]!.text), /^\[RESOLVED\] ConduitHighErrorRate/);
    assert.equal(generic[0]!.status, 'firing');
    assert.deepEqual(generic[0]!.labels, { alertname: 'ConduitHighErrorRate', severity: 'warning' });
    assert.equal(generic[1]!.status, 'resolved');
    assert.equal(typeof generic[1]!.endsAt, 'string');
    assert.equal(generic[0]!.fingerprint, generic[1]!.fingerprint);
  });

  test('p95 latency > 10 s for 5 minutes fires; a short spike stays pending and ends silently', async () => {
    receiver.received.length = 0;
    const { metrics, engine, advance } = setup(defaultAlertRules({ error_rate: { enabled: false } }));
    await engine.evaluate();
    // A 1-minute spike: pending, then back to normal — no notification at all.
    for (let tick = 1; tick <= 4; tick++) {
      advance(TICK);
      metrics.recordRequest('m', 'p', 200, 20);
      await engine.evaluate();
    }
    assert.equal(engine.activeAlerts()[0]?.state, 'pending');
    for (let tick = 1; tick <= 24; tick++) {
      advance(TICK);
      for (let i = 0; i < 100; i++) metrics.recordRequest('m', 'p', 200, 0.1);
      await engine.evaluate();
    }
    assert.equal(engine.activeAlerts().length, 0);
    assert.equal(receiver.received.length, 0);
    // Sustained slowness: fires once 5 minutes have passed.
    const fired: number[] = [];
    for (let tick = 1; tick <= 30; tick++) {
      advance(TICK);
      for (let i = 0; i < 10; i++) metrics.recordRequest('m', 'p', 200, 25);
      const out = await engine.evaluate();
      if (out.some((n) => n.status === 'firing')) fired.push(tick);
    }
    assert.equal(fired.length, 1);
    assert.ok(fired[0]! * TICK >= 5 * 60_000, `fired after ${fired[0]! * TICK} ms`);
    assert.match(String(receiver.received[0]!.body.text), /ConduitHighLatencyP95/);
  });

  test('cost burn > $50 within an hour fires at once; budgets and provider health fire per instance; reminders repeat', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    let now = 0;
    const health = [{ provider: 'anthropic', healthy: false, reason: 'circuit open' }];
    const engine = new AlertEngine({
      rules: defaultAlertRules(),
      registry: metrics.registry,
      clock: () => now,
      repeatIntervalMs: 3600_000,
      notifiers: [],
      budgets: () => Promise.resolve([{ scope: 'key:k1/daily', usedUsd: 95, limitUsd: 100 }, { scope: 'key:k2/daily', usedUsd: 10, limitUsd: 100 }]),
      providerHealth: () => health,
    });
    const first = await engine.evaluate();
    assert.deepEqual(first.map((n) => `${n.alert.name}${JSON.stringify(n.alert.labels)}`), ['ConduitBudgetNearLimit{"budget":"key:k1/daily"}']);
    now += TICK;
    metrics.recordCost(60);
    const out = await engine.evaluate();
    assert.deepEqual(out.map((n) => n.alert.name), ['ConduitHighCostBurn']);
    // Provider health has a 1-minute `for`.
    now += 60_000;
    const later = await engine.evaluate();
    assert.deepEqual(later.map((n) => n.alert.name), ['ConduitProviderUnhealthy']);
    // An hour after their first message, the budget and cost alerts (still firing) are sent again;
    // the provider alert, 59 minutes old, is not yet.
    now += 3600_000 - 60_000;
    metrics.recordCost(60);
    const reminders = await engine.evaluate();
    assert.ok(reminders.every((n) => n.repeat && n.status === 'firing'));
    assert.deepEqual(reminders.map((n) => n.alert.name).sort(), ['ConduitBudgetNearLimit', 'ConduitHighCostBurn']);
    // The provider recovers.
    health.length = 0;
    now += TICK;
    const resolved = await engine.evaluate();
    assert.deepEqual(resolved.map((n) => `${n.status}:${n.alert.name}`), ['resolved:ConduitProviderUnhealthy']);
    assert.equal(engine.recentNotifications(1)[0]!.status, 'resolved');
  });

  test('a webhook answering 500 is retried once', async () => {
    receiver.received.length = 0;
    receiver.failNext(1, 500);
    const notifier = new WebhookNotifier({ url: `${receiver.url}/retry`, format: 'generic' });
    await notifier.notify({
      status: 'firing',
      timeMs: 0,
      repeat: false,
      alert: { name: 'X', fingerprint: 'X', labels: {}, severity: 'critical', state: 'firing', value: 1, threshold: 0, summary: 's', description: 'd', activeSinceMs: 0, firingSinceMs: 0 },
    });
    assert.equal(receiver.received.length, 1);
  });
});

describe('quantileBetween', () => {
  test('interpolates like histogram_quantile over the difference of two readings', () => {
    const older = { bounds: [1, 2, 4], cumulative: [10, 10, 10, 10] };
    const newer = { bounds: [1, 2, 4], cumulative: [10, 60, 110, 110] };
    // 100 new observations: 50 in (1,2], 50 in (2,4]. p50 = 2, p95 = 2 + 2 * 45/50.
    assert.equal(quantileBetween(0.5, older, newer), 2);
    assert.equal(quantileBetween(0.95, older, newer), 3.8);
    assert.equal(quantileBetween(0.95, newer, newer), undefined);
    assert.equal(quantileBetween(0.99, undefined, { bounds: [1], cumulative: [0, 5] }), 1);
  });
});
