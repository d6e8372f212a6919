/**
 * The structured-output dead-letter queue through the gateway: `dlq.enabled` opens it on the policy
 * database (embedded PGlite here), `/admin/dlq*` expose it behind the master key, and `/metrics`
 * carries `dlq_size`, `dlq_oldest_item_age_seconds` and `dlq_alert`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { emptyUsage } from '../../src/core/usage.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import { openPolicies, type OpenedPolicies } from '../../src/gateway/policy/open-policies.js';
import { createModelRegistry, type ModelRegistry } from '../../src/models/registry/index.js';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import type { DeadLetterQueue, NewDeadLetterItem } from '../../src/structured/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { call, errorCode } from './support.js';

const MASTER = 'mk-test-master-key-0123456789';

const PERSON_SCHEMA = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'number' } },
  required: ['name', 'age'],
  additionalProperties: false,
};

function failedItem(label: string): NewDeadLetterItem {
  return {
    schemaName: 'person',
    schema: PERSON_SCHEMA,
    input: [{ role: 'user', content: `Extract the person from: ${label}` }],
    attempts: [
      { attempt: 1, raw: '{"name": "Ann", "age": "old"}', issues: [{ path: 'age', message: 'expected number' }], parsed: { name: 'Ann', age: 'old' }, finishReason: 'stop', usage: emptyUsage(), provider: 'openai', model: 'gpt-4o-mini' },
      { attempt: 2, raw: 'not json', parseError: 'no JSON found', finishReason: 'stop', usage: emptyUsage(), provider: 'openai', model: 'gpt-4o-mini' },
    ],
    errors: ['attempt 1: age: expected number', 'attempt 2: no JSON found'],
    bestPartial: { name: 'Ann' },
  };
}

function gauge(metricsText: string, name: string): number | undefined {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('dead-letter queue admin routes and metrics', () => {
  let up: FakeOpenAI;
  let stateDir: string;
  let registry: ModelRegistry;
  let policies: OpenedPolicies;
  let gateway: Gateway;
  let url: string;
  let dlq: DeadLetterQueue;

  before(async () => {
    up = await startFakeOpenAI({ defaultText: '{"name":"Retried","age":41}' });
    stateDir = mkdtempSync(join(tmpdir(), 'conduit-dlq-'));
    const config = configSchema.parse({
      providers: { openai: { api_key: 'sk-upstream', base_url: up.url } },
      default_model: 'openai/gpt-4o-mini',
      reliability: { max_retries: 0, health_check_interval_ms: 0 },
      storage: { state_dir: stateDir },
      auth: { master_key: MASTER },
      dlq: { enabled: true },
    });
    registry = createModelRegistry({ config });
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    policies = await openPolicies(config, { priceTable: registry.priceTable, env: {}, metrics });
    assert.ok(policies.dlq, 'dlq.enabled opens the queue');
    dlq = policies.dlq;
    gateway = createGateway({ resolver: registry, metrics, policy: policies.policy!, admin: policies.admin! });
    ({ url } = await gateway.listen(0, '127.0.0.1'));
  });

  after(async () => {
    await gateway?.close();
    await policies?.close();
    registry?.close();
    await up?.close();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  test('the queue is not opened unless enabled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-dlq-off-'));
    try {
      const config = configSchema.parse({ storage: { state_dir: dir }, auth: { master_key: MASTER } });
      assert.equal(config.dlq, undefined);
      const metrics = new GatewayMetrics({ defaultMetrics: false });
      const off = await openPolicies(config, { priceTable: registry.priceTable, env: {}, metrics });
      try {
        assert.equal(off.dlq, undefined);
        assert.equal(gauge(await metrics.metrics(), 'dlq_size'), undefined);
      } finally {
        await off.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('list, invalid and valid resolution, 409, 404, dlq_size 2 → 1, retry, auth', async () => {
    const first = await dlq.add(failedItem('Ann is old'));
    const second = await dlq.add(failedItem('Bob'));

    const listed = await call(url, '/admin/dlq?status=pending', { key: MASTER });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.headers.get('cache-control'), 'no-store');
    assert.equal(listed.body.count, 2);
    const items = listed.body.items as Record<string, unknown>[];
    assert.deepEqual(items.map((i) => i.id), [first, second]);
    for (const item of items) {
      assert.equal(item.schemaName, 'person');
      assert.equal(item.attempts, 2);
      assert.deepEqual(item.errors, ['attempt 1: age: expected number', 'attempt 2: no JSON found']);
      assert.equal(item.status, 'pending');
      assert.equal(typeof item.time_in_queue_ms, 'number');
      assert.ok((item.time_in_queue_ms as number) >= 0);
    }
    const limited = await call(url, '/admin/dlq?limit=1', { key: MASTER });
    assert.equal(limited.body.count, 1);
    assert.equal((await call(url, '/admin/dlq?status=bogus', { key: MASTER })).status, 400);

    const full = await call(url, `/admin/dlq/${first}`, { key: MASTER });
    assert.equal(full.status, 200);
    assert.deepEqual(full.body.schema, PERSON_SCHEMA);
    assert.equal((full.body.attempts as unknown[]).length, 2);

    let scrape = await (await fetch(`${url}/metrics`)).text();
    assert.equal(gauge(scrape, 'dlq_size'), 2);
    assert.ok((gauge(scrape, 'dlq_oldest_item_age_seconds') ?? -1) >= 0);
    assert.equal(gauge(scrape, 'dlq_alert'), 0);

    const invalid = await call(url, `/admin/dlq/${first}/resolve`, { key: MASTER, body: { corrected_data: { name: 'Ann', age: 'old' } } });
    assert.equal(invalid.status, 400);
    assert.equal(errorCode(invalid), 'dlq_correction_invalid');
    assert.match((invalid.body.error as { message: string }).message, /age/);
    assert.equal((await dlq.get(first))?.status, 'pending', 'an invalid correction leaves the item pending');
    assert.equal((await dlq.get(first))?.resolution, undefined);

    const missingBody = await call(url, `/admin/dlq/${first}/resolve`, { key: MASTER, body: {} });
    assert.equal(missingBody.status, 400);

    const valid = await call(url, `/admin/dlq/${first}/resolve`, { key: MASTER, body: { corrected_data: { name: 'Ann', age: 80 }, actor: 'alice' } });
    assert.equal(valid.status, 200, JSON.stringify(valid.body));
    assert.equal(valid.body.status, 'resolved');
    assert.equal(valid.body.resolvedBy, 'alice');
    assert.deepEqual(valid.body.resolution, { name: 'Ann', age: 80 });

    const again = await call(url, `/admin/dlq/${first}/resolve`, { key: MASTER, body: { corrected_data: { name: 'Ann', age: 80 } } });
    assert.equal(again.status, 409);
    assert.equal(errorCode(again), 'dlq_already_resolved');

    assert.equal((await call(url, '/admin/dlq/dlq_nope', { key: MASTER })).status, 404);
    assert.equal((await call(url, '/admin/dlq/dlq_nope/resolve', { key: MASTER, body: { corrected_data: { name: 'x', age: 1 } } })).status, 404);
    assert.equal((await call(url, '/admin/dlq/dlq_nope/retry', { key: MASTER, body: {} })).status, 404);

    scrape = await (await fetch(`${url}/metrics`)).text();
    assert.equal(gauge(scrape, 'dlq_size'), 1);

    const resolvedList = await call(url, '/admin/dlq?status=resolved', { key: MASTER });
    assert.deepEqual((resolvedList.body.items as { id: string }[]).map((i) => i.id), [first]);

    // Retry with the default model: the fake upstream answers valid JSON, so the item resolves.
    const badModel = await call(url, `/admin/dlq/${second}/retry`, { key: MASTER, body: { model: 'nosuch/model-x' } });
    assert.equal(badModel.status, 400, JSON.stringify(badModel.body));
    const retried = await call(url, `/admin/dlq/${second}/retry`, { key: MASTER, body: {} });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.status, 'resolved');
    assert.deepEqual(retried.body.resolution, { name: 'Retried', age: 41 });
    assert.match(String(retried.body.resolvedBy), /^retry:openai\/gpt-4o-mini/);
    assert.equal((await call(url, `/admin/dlq/${second}/retry`, { key: MASTER, body: {} })).status, 409);

    // Without the master key (or with a wrong one) every DLQ route is refused.
    for (const [path, method] of [
      ['/admin/dlq', 'GET'],
      [`/admin/dlq/${second}`, 'GET'],
      [`/admin/dlq/${second}/resolve`, 'POST'],
      [`/admin/dlq/${second}/retry`, 'POST'],
    ] as const) {
      const none = await call(url, path, { method });
      assert.ok(none.status === 401 || none.status === 403, `${method} ${path} without a key: ${none.status}`);
      const wrong = await call(url, path, { method, key: 'mk-wrong-master-key-0000000000' });
      assert.ok(wrong.status === 401 || wrong.status === 403, `${method} ${path} with a wrong key: ${wrong.status}`);
    }
  });

  test('more than 20 pending → dlq_alert 1', async () => {
    const pending = (await dlq.stats()).pending;
    await Promise.all(Array.from({ length: 21 - pending }, (_, i) => dlq.add(failedItem(`bulk ${i}`))));
    const scrape = await (await fetch(`${url}/metrics`)).text();
    assert.equal(gauge(scrape, 'dlq_size'), 21);
    assert.equal(gauge(scrape, 'dlq_alert'), 1);
  });
});
