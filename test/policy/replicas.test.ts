/**
 * Two real `conduit serve` processes sharing PostgreSQL (a fresh schema) and Redis (a unique key
 * prefix): one exact rate limit across both replicas under concurrent load, and the same spend
 * report from either. Needs the compiled dist/ (`npm run build`), like test/e2e.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startConduit, type ConduitProcess } from '../e2e/support/conduit-process.js';
import { createTestSchema } from '../support/databases.js';
import { call, chat } from './support.js';

const MASTER = 'mk-replica-master-key-0123456789';
const REDIS_URL = process.env.CONDUIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('two gateway replicas sharing PostgreSQL and Redis', () => {
  let up: FakeOpenAI;
  let schema: { url: string; drop(): Promise<void> };
  const prefix = `conduit-t-${randomBytes(5).toString('hex')}:`;
  const replicas: ConduitProcess[] = [];

  before(async () => {
    up = await startFakeOpenAI({ record: false });
    schema = await createTestSchema();
    const config = {
      server: { host: '127.0.0.1', port: 0 },
      providers: { openai: { api_key: 'sk-upstream', base_url: up.url } },
      reliability: { max_retries: 0, health_check_interval_ms: 0 },
      logging: { level: 'warn' },
      storage: { database_url: schema.url, redis_url: REDIS_URL, redis_prefix: prefix },
      auth: { master_key: MASTER },
      audit: { enabled: true },
    };
    // One after the other: both run migrations at start, and the first creates the tables.
    replicas.push(await startConduit(config));
    replicas.push(await startConduit(config));
  });

  after(async () => {
    for (const r of replicas) await r.stop();
    await up?.close();
    await schema?.drop();
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  test('a key limited to 50 requests/minute gets exactly 50 successes across both replicas; spend is identical from either', async () => {
    const [a, b] = replicas as [ConduitProcess, ConduitProcess];
    const created = await call(a.url, '/admin/keys', { key: MASTER, body: { name: 'shared', limits: { requestsPerMinute: 50 } } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const key = created.body.key as string;
    const id = created.body.id as string;

    const statuses: number[] = [];
    let costSum = 0;
    const TOTAL = 120;
    const CONCURRENCY = 24;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const i = next++;
          const r = await chat(i % 2 === 0 ? a.url : b.url, key, `load ${i}`);
          statuses.push(r.status);
          if (r.status === 200) costSum += Number(r.headers.get('x-conduit-cost-usd'));
          assert.ok(r.headers.get('x-ratelimit-limit-requests') === '50', `request ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 50, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, TOTAL - 50);

    const fromA = await call(a.url, `/admin/spend?group_by=key&key_id=${id}`, { key: MASTER });
    const fromB = await call(b.url, `/admin/spend?group_by=key&key_id=${id}`, { key: MASTER });
    assert.equal(fromA.status, 200, JSON.stringify(fromA.body));
    assert.deepEqual(fromA.body.data, fromB.body.data);
    assert.deepEqual(fromA.body.total, fromB.body.total);
    const row = (fromA.body.data as { group: string; requests: number; costUsd: number }[]).find((r) => r.group === id)!;
    assert.equal(row.requests, 50);
    assert.ok(Math.abs(row.costUsd - costSum) < 1e-9, `${row.costUsd} vs ${costSum}`);

    const verify = await call(b.url, '/admin/audit/verify', { key: MASTER });
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    const ready = await call(a.url, '/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual([(ready.body.checks as Record<string, unknown>).database, (ready.body.checks as Record<string, unknown>).redis], [true, true]);
  });
});
