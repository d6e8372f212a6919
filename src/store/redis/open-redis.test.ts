import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openRedis, reconnectDelay } from './open-redis.js';
import { defineLuaScript } from './lua-script.js';
import { isRedisUnavailableError } from './redis-errors.js';

const URL = process.env.CONDUIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('openRedis', () => {
  test('is lazy, prefixes keys, answers ping, closes idempotently', async () => {
    const prefix = `conduit-test:${randomUUID()}:`;
    const redis = openRedis(URL, { prefix });
    try {
      assert.equal(redis.client.status, 'wait', 'opening does not connect');
      assert.equal(redis.isReady(), false);
      assert.equal(redis.key('a', 'b'), `${prefix}a:b`);
      assert.equal(await redis.ping(), true);
      assert.equal(redis.isReady(), true);
      await redis.client.set(redis.key('x'), '1', 'PX', 5000);
      assert.equal(await redis.client.get(`${prefix}x`), '1');
      await redis.client.del(redis.key('x'));
    } finally {
      await redis.close();
      await redis.close();
    }
    assert.equal(await redis.ping(), false, 'a closed connection is not ready');
  });

  test('fails fast while Redis is unreachable instead of queueing', async () => {
    const errors: Error[] = [];
    const redis = openRedis('redis://127.0.0.1:1', { connectTimeoutMs: 500, onError: (e) => errors.push(e) });
    try {
      assert.equal(await redis.ping(), false);
      const started = Date.now();
      const err = await redis.client.get('k').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof Error);
      assert.ok(isRedisUnavailableError(err));
      assert.ok(Date.now() - started < 500, 'rejected at once, not queued');
      assert.ok(errors.length > 0 && redis.lastError() !== undefined);
    } finally {
      await redis.close();
    }
  });

  test('reconnect backoff grows and is bounded', () => {
    const delays = [1, 2, 3, 4, 10, 100].map((n) => reconnectDelay(n, 50, 2000));
    assert.ok(delays[0]! >= 40 && delays[0]! <= 50);
    assert.ok(delays[3]! >= 320 && delays[3]! <= 400);
    assert.ok(delays.every((d) => d <= 2000));
    assert.ok(delays[5]! >= 1600);
  });
});

describe('defineLuaScript', () => {
  test('runs by EVALSHA, loading the script on NOSCRIPT', async () => {
    const redis = openRedis(URL);
    try {
      await redis.ensureConnected();
      // A script no server has seen yet: a unique comment changes its SHA.
      const script = defineLuaScript(`-- ${randomUUID()}\nreturn tonumber(ARGV[1]) + #KEYS`);
      const [before] = (await redis.client.script('EXISTS', script.sha1)) as number[];
      assert.equal(before, 0);
      assert.equal(await script.run(redis.client, ['a', 'b'], [40]), 42);
      const [afterLoad] = (await redis.client.script('EXISTS', script.sha1)) as number[];
      assert.equal(afterLoad, 1, 'cached after the NOSCRIPT fallback');
      assert.equal(await script.run(redis.client, [], [1]), 1);
    } finally {
      await redis.close();
    }
  });

  test('script errors are not mistaken for Redis being down', async () => {
    const redis = openRedis(URL);
    try {
      await redis.ensureConnected();
      const broken = defineLuaScript(`return redis.call('NO_SUCH_COMMAND_${randomUUID().slice(0, 8)}')`);
      const err = await broken.run(redis.client, [], []).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof Error);
      assert.equal(isRedisUnavailableError(err), false);
    } finally {
      await redis.close();
    }
  });
});
