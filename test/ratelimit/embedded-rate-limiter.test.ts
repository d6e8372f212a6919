import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRateLimiterConformance } from './conformance.js';
import { EmbeddedRateLimiter } from '../../src/ratelimit/embedded-rate-limiter.js';
import { ConduitError } from '../../src/core/errors.js';

runRateLimiterConformance({
  name: 'embedded',
  async open() {
    const limiter = new EmbeddedRateLimiter({ sweepIntervalMs: 0 });
    return { limiter, dispose: () => limiter.close() };
  },
});

describe('EmbeddedRateLimiter specifics', () => {
  test('idle scopes are swept, so memory stays bounded by active scopes', async () => {
    const limiter = new EmbeddedRateLimiter({ sweepIntervalMs: 0 });
    for (let i = 0; i < 1000; i++) {
      await limiter.consume([{ scope: 'key', id: `k${i}`, metric: 'requests', limit: 5, windowMs: 1000 }], 10_000 + i);
    }
    assert.equal(limiter.size, 1000);
    limiter.sweep(10_000 + 1499); // events at 10 000..10 499 are now out of their 1 s window
    assert.equal(limiter.size, 500);
    limiter.sweep(10_000 + 1999);
    assert.equal(limiter.size, 0);
    await limiter.close();
  });

  test('peek does not create logs for scopes that never consumed', async () => {
    const limiter = new EmbeddedRateLimiter({ sweepIntervalMs: 0 });
    await limiter.peek([{ scope: 'user', id: 'u', metric: 'requests', limit: 5 }], 1);
    assert.equal(limiter.size, 0);
    await limiter.close();
  });

  test('uses its clock when no time is passed', async () => {
    let now = 1_000_000;
    const limiter = new EmbeddedRateLimiter({ clock: () => now, sweepIntervalMs: 0 });
    const check = { scope: 'key', id: 'c', metric: 'requests', limit: 1, windowMs: 1000 } as const;
    assert.equal((await limiter.consume([check])).allowed, true);
    now += 999;
    assert.equal((await limiter.consume([check])).retryAfterMs, 1);
    now += 1;
    assert.equal((await limiter.consume([check])).allowed, true);
    await limiter.close();
  });

  test('two checks on the same log see each other', async () => {
    const limiter = new EmbeddedRateLimiter({ sweepIntervalMs: 0 });
    const check = { scope: 'key', id: 'dup', metric: 'requests', limit: 3 } as const;
    assert.equal((await limiter.consume([check, check], 0)).allowed, true);
    assert.equal((await limiter.consume([check, check], 1)).allowed, false, '2 + 2 > 3');
    assert.equal((await limiter.consume([check], 2)).allowed, true);
    await limiter.close();
  });

  test('a long busy log stays exact while pruning (amortised compaction)', async () => {
    const limiter = new EmbeddedRateLimiter({ sweepIntervalMs: 0 });
    const check = { scope: 'global', id: '*', metric: 'requests', limit: 100, windowMs: 1000 } as const;
    let allowed = 0;
    // 10 per ms for 5 s: exactly 100 per sliding second may pass.
    for (let t = 0; t < 5000; t++) {
      for (let k = 0; k < 10; k++) if ((await limiter.consume([check], t)).allowed) allowed++;
    }
    assert.equal(allowed, 500);
    await limiter.close();
  });

  test('invalid checks are invalid_request errors', async () => {
    const limiter = new EmbeddedRateLimiter({ sweepIntervalMs: 0 });
    await assert.rejects(
      limiter.consume([{ scope: 'key', id: 'x', metric: 'requests', limit: 1, windowMs: 0 }]),
      (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request',
    );
    await assert.rejects(
      limiter.consume([{ scope: 'key', id: 'x', metric: 'tokens', limit: 1, cost: -5 }]),
      (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request',
    );
    await limiter.close();
  });
});
