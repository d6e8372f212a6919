/**
 * Redis or PostgreSQL going away under a running `conduit serve`, and coming back. The outage is a
 * TCP proxy in front of the machine's real server being closed (the real servers are shared with
 * other tests and are never stopped). Checks that /ready turns 503 naming the dependency, that
 * rate limits fail closed or open as configured, and that everything recovers when it returns.
 * Needs the compiled dist/ (`npm run build`), like test/e2e.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startConduit, type ConduitProcess } from '../e2e/support/conduit-process.js';
import { createTestSchema } from '../support/databases.js';
import { call, chat, type Reply } from './support.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const MASTER = 'mk-outage-master-key-0123456789';
const REDIS_URL = new URL(process.env.CONDUIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const PG_URL = new URL(process.env.CONDUIT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
/** How long a dependency's return may take to show (ioredis reconnects with backoff). */
const RECOVERY_WAIT_MS = 30_000;

/** Polls `probe` until `done` holds for its result, or fails after `ms` with the last result. */
async function waitFor(probe: () => Promise<Reply>, done: (r: Reply) => boolean, ms: number, what: string): Promise<Reply> {
  const deadline = Date.now() + ms;
  let last: Reply | undefined;
  for (;;) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch {
      // A transient fetch failure while a dependency flips is a reason to poll again, not to fail.
    }
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms; last reply: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function checks(reply: Reply): Record<string, unknown> {
  return (reply.body.checks ?? {}) as Record<string, unknown>;
}

async function cleanRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL.toString());
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

for (const failMode of ['closed', 'open'] as const) {
  describe(`Redis going away with rate_limits.fail_mode: ${failMode}`, () => {
    let up: FakeOpenAI;
    let proxy: TcpProxy;
    let gw: ConduitProcess | undefined;
    const prefix = `conduit-t-${randomBytes(5).toString('hex')}:`;

    before(async () => {
      up = await startFakeOpenAI({ record: false });
      proxy = await startTcpProxy(REDIS_URL.hostname, Number(REDIS_URL.port || 6379));
      gw = await startConduit({
        server: { host: '127.0.0.1', port: 0 },
        providers: { openai: { api_key: 'sk-upstream', base_url: up.url } },
        reliability: { max_retries: 0, health_check_interval_ms: 0 },
        logging: { level: 'warn' },
        storage: { redis_url: `redis://127.0.0.1:${proxy.port}`, redis_prefix: prefix },
        auth: { master_key: MASTER },
        rate_limits: { fail_mode: failMode, per_key: { requests_per_minute: 1000 } },
      });
    });

    after(async () => {
      await gw?.stop();
      await proxy?.close();
      await up?.close();
      await cleanRedisPrefix(prefix);
    });

    test(`/ready turns 503 naming redis; model requests ${failMode === 'closed' ? 'fail with a typed 503' : 'still succeed'}; all recovers when Redis returns`, async () => {
      const url = gw!.url;
      const created = await call(url, '/admin/keys', { key: MASTER, body: { name: `outage-${failMode}` } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const key = created.body.key as string;

      const ready = await call(url, '/ready');
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.equal(checks(ready).redis, true);
      const before = await chat(url, key, 'before the outage');
      assert.equal(before.status, 200, JSON.stringify(before.body));
      assert.equal(before.headers.get('x-ratelimit-limit-requests'), '1000');

      await proxy.interrupt();

      const notReady = await waitFor(() => call(url, '/ready'), (r) => r.status === 503, RECOVERY_WAIT_MS, '/ready turning 503');
      assert.equal(notReady.body.status, 'not_ready');
      assert.match(String(checks(notReady).redis), /unreachable/, JSON.stringify(notReady.body));

      const during = await chat(url, key, 'during the outage');
      if (failMode === 'closed') {
        assert.equal(during.status, 503, JSON.stringify(during.body));
        const error = during.body.error as { message?: unknown; type?: unknown; code?: unknown } | undefined;
        assert.ok(error !== undefined && typeof error.message === 'string' && typeof error.type === 'string', `typed error body: ${JSON.stringify(during.body)}`);
      } else {
        assert.equal(during.status, 200, JSON.stringify(during.body));
        assert.equal((during.body.object as string | undefined) ?? '', 'chat.completion');
      }

      await proxy.resume();

      const readyAgain = await waitFor(() => call(url, '/ready'), (r) => r.status === 200, RECOVERY_WAIT_MS, '/ready returning to 200');
      assert.equal(checks(readyAgain).redis, true);
      const afterward = await waitFor(() => chat(url, key, 'after the outage'), (r) => r.status === 200, RECOVERY_WAIT_MS, 'a model request succeeding again');
      // Enforced again: the limit headers come from a real Redis check, not a degraded pass.
      assert.equal(afterward.headers.get('x-ratelimit-limit-requests'), '1000');
    });
  });
}

describe('PostgreSQL going away', () => {
  let up: FakeOpenAI;
  let proxy: TcpProxy;
  let schema: { url: string; drop(): Promise<void> } | undefined;
  let gw: ConduitProcess | undefined;

  before(async () => {
    up = await startFakeOpenAI({ record: false });
    schema = await createTestSchema();
    proxy = await startTcpProxy(PG_URL.hostname, Number(PG_URL.port || 5432));
    const viaProxy = new URL(schema.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    gw = await startConduit({
      server: { host: '127.0.0.1', port: 0 },
      providers: { openai: { api_key: 'sk-upstream', base_url: up.url } },
      reliability: { max_retries: 0, health_check_interval_ms: 0 },
      logging: { level: 'warn' },
      storage: { database_url: viaProxy.toString() },
      auth: { master_key: MASTER },
    });
  });

  after(async () => {
    await gw?.stop();
    await proxy?.close();
    await up?.close();
    await schema?.drop();
  });

  test('/ready turns 503 naming the database, and returns to 200 when it is back', async () => {
    const url = gw!.url;
    const ready = await call(url, '/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(checks(ready).database, true);

    await proxy.interrupt();
    const notReady = await waitFor(() => call(url, '/ready'), (r) => r.status === 503, RECOVERY_WAIT_MS, '/ready turning 503');
    assert.match(String(checks(notReady).database), /unreachable/, JSON.stringify(notReady.body));

    await proxy.resume();
    const readyAgain = await waitFor(() => call(url, '/ready'), (r) => r.status === 200, RECOVERY_WAIT_MS, '/ready returning to 200');
    assert.equal(checks(readyAgain).database, true);
    const created = await call(url, '/admin/keys', { key: MASTER, body: { name: 'after-pg-outage' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });
});
