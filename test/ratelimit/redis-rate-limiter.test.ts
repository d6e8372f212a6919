import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runRateLimiterConformance } from './conformance.js';
import { cleanupPrefix, countKeys, openTestRedis, RedisProxy, testPrefix, waitFor } from './redis-support.js';
import { RedisRateLimiter } from '../../src/ratelimit/redis-rate-limiter.js';
import { ConduitError } from '../../src/core/errors.js';
import { openRedis } from '../../src/store/redis/open-redis.js';
import type { LimitCheck } from '../../src/ratelimit/types.js';

const prefix = testPrefix();
after(() => cleanupPrefix(prefix));

runRateLimiterConformance({
  name: 'redis (caller clock)',
  async open() {
    const redis = openTestRedis(prefix);
    const limiter = new RedisRateLimiter(redis, { clock: 'caller' });
    return { limiter, dispose: () => redis.close() };
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isUnavailable = (err: unknown) =>
  err instanceof ConduitError && err.kind === 'provider_unavailable' && err.status === 503 && err.cause !== undefined;

describe('RedisRateLimiter on the server clock', () => {
  test('short window: refuses at the limit, then admits again after retryAfterMs', async () => {
    const redis = openTestRedis(prefix);
    try {
      const limiter = new RedisRateLimiter(redis);
      const check: LimitCheck = { scope: 'key', id: randomUUID(), metric: 'requests', limit: 3, windowMs: 400 };
      for (let i = 0; i < 3; i++) assert.equal((await limiter.consume([check])).allowed, true);
      const refused = await limiter.consume([check]);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 400, `retryAfterMs ${refused.retryAfterMs}`);
      // `now` is the Redis server's clock, reported back.
      assert.ok(Math.abs(refused.now - Date.now()) < 5000);
      await sleep(refused.retryAfterMs + 30);
      assert.equal((await limiter.consume([check])).allowed, true);
      await sleep(450);
      const emptied = await limiter.peek([check]);
      assert.equal(emptied.checks[0]!.remaining, 3, 'the whole window slid out');
    } finally {
      await redis.close();
    }
  });

  test('keys expire one window after the newest event', async () => {
    const own = testPrefix();
    const redis = openTestRedis(own);
    try {
      const limiter = new RedisRateLimiter(redis);
      await limiter.consume([
        { scope: 'key', id: 'k', metric: 'requests', limit: 5, windowMs: 300 },
        { scope: 'key', id: 'k', metric: 'tokens', limit: 500, windowMs: 300, cost: 50 },
      ]);
      assert.equal(await countKeys(own), 4, 'a log and a sum per check');
      await waitFor(async () => (await countKeys(own)) === 0, 5000, 50);
    } finally {
      await redis.close();
      await cleanupPrefix(own);
    }
  });

  test('the sum is rebuilt from the log if it is lost (eviction)', async () => {
    const redis = openTestRedis(prefix);
    try {
      const limiter = new RedisRateLimiter(redis);
      const check: LimitCheck = { scope: 'team', id: randomUUID(), metric: 'tokens', limit: 1000, cost: 300 };
      await limiter.consume([check]);
      await limiter.consume([check]);
      await redis.client.del(redis.key('rl', `team:${encodeURIComponent(check.id)}:tokens:60000:sum`));
      const d = await limiter.peek([{ ...check, cost: 0 }]);
      assert.equal(d.checks[0]!.remaining, 400);
    } finally {
      await redis.close();
    }
  });

  test('two replicas (separate connections) under concurrent load admit exactly the limit', async () => {
    const replicaA = openTestRedis(prefix, { connectionName: 'replica-a' });
    const replicaB = openTestRedis(prefix, { connectionName: 'replica-b' });
    try {
      // Both replicas connected first, so neither gets a head start while the other connects.
      assert.equal(await replicaA.ping(), true);
      assert.equal(await replicaB.ping(), true);
      const a = new RedisRateLimiter(replicaA);
      const b = new RedisRateLimiter(replicaB);
      const keyId = randomUUID();
      const checks: LimitCheck[] = [
        { scope: 'key', id: keyId, metric: 'requests', limit: 50, windowMs: 60_000 },
        { scope: 'global', id: keyId, metric: 'requests', limit: 10_000, windowMs: 60_000 },
      ];
      const calls = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).consume(checks));
      const decisions = await Promise.all(calls);
      const allowedA = decisions.filter((d, i) => d.allowed && i % 2 === 0).length;
      const allowedB = decisions.filter((d, i) => d.allowed && i % 2 === 1).length;
      assert.equal(allowedA + allowedB, 50, `A ${allowedA} + B ${allowedB}`);
      assert.ok(allowedA > 0 && allowedB > 0, 'both replicas served some');
      // Refused requests consumed nothing from the other check either.
      const state = await a.peek(checks);
      assert.equal(state.checks[0]!.remaining, 0);
      assert.equal(state.checks[1]!.remaining, 10_000 - 50);
      for (const d of decisions.filter((x) => !x.allowed)) assert.ok(d.retryAfterMs > 0 && d.retryAfterMs <= 60_000);
    } finally {
      await replicaA.close();
      await replicaB.close();
    }
  });
});

describe('RedisRateLimiter when Redis is down', () => {
  const check = (failMode?: 'open' | 'closed'): LimitCheck => ({
    scope: 'key',
    id: 'down',
    metric: 'requests',
    limit: 5,
    ...(failMode ? { failMode } : {}),
  });

  test('fail closed throws a typed 503 error; fail open allows and says degraded', async () => {
    const redis = openRedis('redis://127.0.0.1:1', { prefix, connectTimeoutMs: 1000 });
    try {
      const closed = new RedisRateLimiter(redis, { failMode: 'closed' });
      await assert.rejects(closed.consume([check()]), isUnavailable);
      // Later calls fail fast instead of queueing.
      const started = Date.now();
      await assert.rejects(closed.consume([check()]), isUnavailable);
      assert.ok(Date.now() - started < 1000);

      let degradedEvents = 0;
      const open = new RedisRateLimiter(redis, { failMode: 'open', onDegraded: () => degradedEvents++ });
      const d = await open.consume([check()]);
      assert.equal(d.allowed, true);
      assert.equal(d.degraded, true);
      assert.equal(d.checks[0]!.remaining, 5);
      assert.equal(degradedEvents, 1);
      await open.adjust([check()], 10); // a lost correction is not an error when failing open

      // A policy's own fail mode overrides the limiter's; `closed` wins when checks disagree.
      assert.equal((await closed.consume([check('open')])).degraded, true);
      await assert.rejects(open.consume([check('open'), check('closed')]), isUnavailable);
      assert.equal(await redis.ping(), false);
    } finally {
      await redis.close();
    }
  });

  test('recovers by itself when Redis comes back', async () => {
    const proxy = new RedisProxy();
    await proxy.start();
    const redis = openTestRedis(prefix, { commandTimeoutMs: 2000, maxBackoffMs: 100 }, proxy.url);
    try {
      const limiter = new RedisRateLimiter(redis, { failMode: 'closed' });
      const c: LimitCheck = { scope: 'key', id: randomUUID(), metric: 'requests', limit: 2 };
      assert.equal((await limiter.consume([c])).allowed, true);
      assert.equal(await redis.ping(), true);

      await proxy.stop();
      await waitFor(() => !redis.isReady());
      await assert.rejects(limiter.consume([c]), isUnavailable);
      assert.equal(await redis.ping(), false);

      await proxy.start(); // same port
      await waitFor(() => redis.ping(), 10_000, 50);
      // State survived in Redis: one slot used before the outage, one left.
      assert.equal((await limiter.consume([c])).allowed, true);
      assert.equal((await limiter.consume([c])).allowed, false);
    } finally {
      await redis.close();
      await proxy.stop();
    }
  });
});
