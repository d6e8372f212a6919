import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupPrefix, openTestRedis, testPrefix, waitFor } from './redis-support.js';
import { EmbeddedEmergencyStop, RedisEmergencyStop, emergencyStopError, type EmergencyStopState } from '../../src/ratelimit/emergency-stop.js';
import { ConduitError } from '../../src/core/errors.js';
import { openRedis } from '../../src/store/redis/open-redis.js';

describe('EmbeddedEmergencyStop', () => {
  test('stop and resume flip the flag and tell listeners', async () => {
    const stop = new EmbeddedEmergencyStop(() => 42);
    const seen: EmergencyStopState[] = [];
    stop.onChange((s) => seen.push(s));
    assert.equal(stop.isStopped(), false);
    const stopped = await stop.stop('alice', 'runaway spend');
    assert.deepEqual(stopped, { stopped: true, actor: 'alice', reason: 'runaway spend', since: 42, version: 1 });
    assert.equal(stop.isStopped(), true);
    const err = emergencyStopError(stop.state());
    assert.equal(err.status, 503);
    assert.equal(err.code, 'emergency_stop');
    assert.equal(err.retryable, false);
    assert.match(err.message, /runaway spend/);
    await stop.resume('bob');
    assert.equal(stop.isStopped(), false);
    assert.deepEqual(
      seen.map((s) => [s.stopped, s.actor]),
      [
        [true, 'alice'],
        [false, 'bob'],
      ],
    );
  });
});

describe('RedisEmergencyStop', () => {
  const prefix = testPrefix();
  after(() => cleanupPrefix(prefix));

  test('a stop on one replica reaches another through pub/sub, well before the poll', async () => {
    const redisA = openTestRedis(prefix);
    const redisB = openTestRedis(prefix);
    // A one-minute poll: only pub/sub can deliver within the test's wait.
    const a = await RedisEmergencyStop.open(redisA, { refreshMs: 60_000 });
    const b = await RedisEmergencyStop.open(redisB, { refreshMs: 60_000 });
    try {
      const changes: EmergencyStopState[] = [];
      b.onChange((s) => changes.push(s));
      // Give B's subscriber its connection before publishing.
      await waitFor(() => b.subscribed(), 5000);
      const state = await a.stop('alice', 'incident 42');
      assert.equal(a.isStopped(), true, 'the local replica stops at once');
      const delay = await waitFor(() => b.isStopped(), 3000, 5);
      assert.ok(delay < 1500, `propagated in ${delay} ms`);
      assert.deepEqual(b.state(), state);
      await b.resume('bob');
      await waitFor(() => !a.isStopped(), 3000, 5);
      assert.equal(a.state().actor, 'bob');
      assert.deepEqual(
        changes.map((c) => c.stopped),
        [true, false],
      );
      // A third replica starting now loads the current state.
      const redisC = openTestRedis(prefix);
      const c = await RedisEmergencyStop.open(redisC, { refreshMs: 60_000 });
      assert.equal(c.isStopped(), false);
      assert.equal(c.state().version, b.state().version);
      await c.close();
      await redisC.close();
    } finally {
      await a.close();
      await b.close();
      await redisA.close();
      await redisB.close();
    }
  });

  test('the poll catches a change whose message was missed', async () => {
    const redisA = openTestRedis(prefix);
    const a = await RedisEmergencyStop.open(redisA, { refreshMs: 200 });
    try {
      // Written behind its back, with no PUBLISH: only polling can see it.
      await redisA.client.set(redisA.key('emergency-stop'), JSON.stringify({ stopped: true, actor: 'ops', version: 1000 }));
      const delay = await waitFor(() => a.isStopped(), 5000, 10);
      assert.ok(delay < 2000, `seen after ${delay} ms`);
      assert.equal(a.state().actor, 'ops');
    } finally {
      await a.close();
      await redisA.close();
    }
  });

  test('isStopped never touches Redis; stop fails loudly while Redis is down and keeps the last state', async () => {
    const redis = openRedis('redis://127.0.0.1:1', { prefix, connectTimeoutMs: 500 });
    const flag = await RedisEmergencyStop.open(redis, { refreshMs: 60_000 });
    try {
      assert.equal(flag.isStopped(), false);
      await assert.rejects(
        flag.stop('alice', 'x'),
        (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable',
      );
      assert.equal(flag.isStopped(), false, 'a stop that did not reach Redis is not applied half-way');
    } finally {
      await flag.close();
      await redis.close();
    }
  });
});
