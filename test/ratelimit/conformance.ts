/**
 * The RateLimiter conformance suite: the same behaviour, to the millisecond, from every adapter.
 * Time is injected (`now`), so the Redis adapter runs it with `clock: 'caller'`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LimitCheck, RateLimiter } from '../../src/ratelimit/types.js';
import { rateLimitHeaders } from '../../src/ratelimit/headers.js';

export interface LimiterFactory {
  name: string;
  open(): Promise<{ limiter: RateLimiter; dispose(): Promise<void> }>;
}

const uid = () => randomUUID();

function requests(id: string, limit: number, scope: LimitCheck['scope'] = 'key', windowMs = 60_000): LimitCheck {
  return { scope, id, metric: 'requests', limit, windowMs };
}

function tokens(id: string, limit: number, cost: number, scope: LimitCheck['scope'] = 'key'): LimitCheck {
  return { scope, id, metric: 'tokens', limit, cost };
}

export function runRateLimiterConformance(factory: LimiterFactory): void {
  describe(`RateLimiter conformance: ${factory.name}`, () => {
    // Real-looking time so Redis TTLs (relative, real time) stay sane; fixed per test.
    const T0 = Math.floor(Date.now() / 1000) * 1000;

    async function withLimiter(fn: (limiter: RateLimiter) => Promise<void>): Promise<void> {
      const { limiter, dispose } = await factory.open();
      try {
        await fn(limiter);
      } finally {
        await dispose();
      }
    }

    test('allows exactly the limit, then refuses with a precise retry time', () =>
      withLimiter(async (limiter) => {
        const check = requests(uid(), 5);
        const remaining: number[] = [];
        for (let i = 0; i < 5; i++) {
          const d = await limiter.consume([check], T0 + i);
          assert.equal(d.allowed, true, `request ${i + 1}`);
          assert.equal(d.degraded, false);
          assert.ok(d.ticket);
          remaining.push(d.checks[0]!.remaining);
        }
        assert.deepEqual(remaining, [4, 3, 2, 1, 0]);
        const refused = await limiter.consume([check], T0 + 1000);
        assert.equal(refused.allowed, false);
        assert.equal(refused.ticket, undefined);
        assert.equal(refused.checks[0]!.remaining, 0);
        assert.equal(refused.checks[0]!.allowed, false);
        // The first event (T0) slides out at T0 + 60 000.
        assert.equal(refused.retryAfterMs, 59_000);
        assert.equal(refused.checks[0]!.retryAfterMs, 59_000);
        // The window is empty again once the newest event (T0 + 4) has slid out.
        assert.equal(refused.checks[0]!.resetMs, 60_004 - 1000);
        assert.equal(refused.tooLarge, false);
      }));

    test('the window slides: an event frees its slot exactly one window later', () =>
      withLimiter(async (limiter) => {
        const check = requests(uid(), 5);
        for (let i = 0; i < 3; i++) assert.equal((await limiter.consume([check], T0)).allowed, true);
        for (let i = 0; i < 2; i++) assert.equal((await limiter.consume([check], T0 + 30_000)).allowed, true);
        const early = await limiter.consume([check], T0 + 59_999);
        assert.equal(early.allowed, false);
        assert.equal(early.retryAfterMs, 1);
        for (let i = 0; i < 3; i++) {
          assert.equal((await limiter.consume([check], T0 + 60_000)).allowed, true, `slot ${i + 1} freed at T0+60s`);
        }
        const full = await limiter.consume([check], T0 + 60_000);
        assert.equal(full.allowed, false);
        // Next to leave: the two events of T0 + 30 000.
        assert.equal(full.retryAfterMs, 30_000);
      }));

    test('a refused request consumes nothing', () =>
      withLimiter(async (limiter) => {
        const check = requests(uid(), 2);
        await limiter.consume([check], T0);
        await limiter.consume([check], T0 + 1);
        for (let i = 0; i < 5; i++) assert.equal((await limiter.consume([check], T0 + 2 + i)).allowed, false);
        // Had refusals been recorded, the slots would not be free one window after the admitted ones.
        assert.equal((await limiter.consume([check], T0 + 60_001)).allowed, true);
        assert.equal((await limiter.consume([check], T0 + 60_001)).checks[0]!.remaining, 0);
      }));

    test('all checks of a request pass or none is consumed', () =>
      withLimiter(async (limiter) => {
        const key = requests(uid(), 10, 'key');
        const user = requests(uid(), 2, 'user');
        const tok = tokens(uid(), 1000, 100, 'team');
        for (let i = 0; i < 2; i++) assert.equal((await limiter.consume([key, user, tok], T0 + i)).allowed, true);
        const refused = await limiter.consume([key, user, tok], T0 + 10);
        assert.equal(refused.allowed, false);
        assert.deepEqual(
          refused.checks.map((c) => [c.scope, c.allowed]),
          [
            ['key', true],
            ['user', false],
            ['team', true],
          ],
        );
        const state = await limiter.peek([key, tok], T0 + 11);
        assert.equal(state.checks[0]!.remaining, 8, 'key not charged for the refused request');
        assert.equal(state.checks[1]!.remaining, 800, 'tokens not charged for the refused request');
        // The key alone still has room.
        assert.equal((await limiter.consume([key], T0 + 12)).allowed, true);
      }));

    test('retry time is the longest wait among refusing checks', () =>
      withLimiter(async (limiter) => {
        const a = requests(uid(), 1, 'key');
        const b = requests(uid(), 1, 'model');
        await limiter.consume([a], T0);
        await limiter.consume([b], T0 + 20_000);
        const refused = await limiter.consume([a, b], T0 + 30_000);
        assert.equal(refused.allowed, false);
        assert.deepEqual(
          refused.checks.map((c) => c.retryAfterMs),
          [30_000, 50_000],
        );
        assert.equal(refused.retryAfterMs, 50_000);
      }));

    test('token limits weigh events by cost; a cost above the limit is tooLarge', () =>
      withLimiter(async (limiter) => {
        const id = uid();
        assert.equal((await limiter.consume([tokens(id, 1000, 600)], T0)).checks[0]!.remaining, 400);
        assert.equal((await limiter.consume([tokens(id, 1000, 300)], T0 + 10)).checks[0]!.remaining, 100);
        const refused = await limiter.consume([tokens(id, 1000, 200)], T0 + 20);
        assert.equal(refused.allowed, false);
        // 100 units must leave: the 600 at T0 leaves at T0 + 60 000.
        assert.equal(refused.retryAfterMs, 60_000 - 20);
        const fits = await limiter.consume([tokens(id, 1000, 100)], T0 + 30);
        assert.equal(fits.allowed, true, 'exactly the remaining 100 fit');
        assert.equal(fits.checks[0]!.remaining, 0);
        const huge = await limiter.consume([tokens(uid(), 1000, 1500)], T0);
        assert.equal(huge.allowed, false);
        assert.equal(huge.tooLarge, true);
        assert.equal(huge.checks[0]!.tooLarge, true);
        // Waiting would not help, so no retry time is promised.
        assert.equal(huge.retryAfterMs, 0);
      }));

    test('adjust corrects a token estimate, with or without the ticket', () =>
      withLimiter(async (limiter) => {
        const id = uid();
        const check = tokens(id, 1000, 600);
        const d = await limiter.consume([check], T0);
        assert.ok(d.ticket);
        await limiter.adjust([check], 200 - 600, d.ticket, T0 + 5); // actual 200
        assert.equal((await limiter.peek([tokens(id, 1000, 0)], T0 + 6)).checks[0]!.remaining, 800);
        // The corrected event keeps its original time: it still leaves at T0 + 60 000.
        const d2 = await limiter.consume([tokens(id, 1000, 700)], T0 + 10);
        assert.equal(d2.allowed, true);
        await limiter.adjust([tokens(id, 1000, 700)], 250, undefined, T0 + 20); // overshoot recorded, no ticket
        const over = await limiter.peek([tokens(id, 1000, 1)], T0 + 21);
        assert.equal(over.checks[0]!.remaining, 0);
        assert.equal(over.allowed, false);
        // At T0 + 60 000 the 200 leaves; 1150 - 200 = 950 remain used.
        assert.equal((await limiter.peek([tokens(id, 1000, 0)], T0 + 60_000)).checks[0]!.remaining, 50);
        // A negative correction without a ticket is ignored (conservative).
        await limiter.adjust([tokens(id, 1000, 0)], -500, undefined, T0 + 60_001);
        assert.equal((await limiter.peek([tokens(id, 1000, 0)], T0 + 60_002)).checks[0]!.remaining, 50);
      }));

    test('peek reports without consuming', () =>
      withLimiter(async (limiter) => {
        const check = requests(uid(), 3);
        await limiter.consume([check], T0);
        for (let i = 0; i < 5; i++) {
          const p = await limiter.peek([check], T0 + 1 + i);
          assert.equal(p.allowed, true);
          assert.equal(p.checks[0]!.remaining, 2);
          assert.equal(p.ticket, undefined);
        }
      }));

    test('resetMs is the time until the window is empty', () =>
      withLimiter(async (limiter) => {
        const check = requests(uid(), 10);
        const fresh = await limiter.peek([check], T0);
        assert.equal(fresh.checks[0]!.resetMs, 0);
        await limiter.consume([check], T0);
        const d = await limiter.consume([check], T0 + 10_000);
        assert.equal(d.checks[0]!.resetMs, 60_000);
        assert.equal((await limiter.peek([check], T0 + 20_000)).checks[0]!.resetMs, 50_000);
      }));

    test('windows of different lengths and metrics are separate logs', () =>
      withLimiter(async (limiter) => {
        const id = uid();
        const perSecond = requests(id, 1, 'key', 1000);
        const perMinute = requests(id, 3, 'key', 60_000);
        assert.equal((await limiter.consume([perSecond, perMinute], T0)).allowed, true);
        assert.equal((await limiter.consume([perSecond, perMinute], T0 + 500)).allowed, false);
        assert.equal((await limiter.consume([perSecond, perMinute], T0 + 1000)).allowed, true);
        assert.equal((await limiter.consume([perSecond, perMinute], T0 + 2000)).allowed, true);
        const d = await limiter.consume([perSecond, perMinute], T0 + 3000);
        assert.equal(d.allowed, false);
        assert.deepEqual(
          d.checks.map((c) => c.allowed),
          [true, false],
        );
        assert.equal(d.retryAfterMs, 57_000);
      }));

    test('reset forgets a scope id and nothing else', () =>
      withLimiter(async (limiter) => {
        const id = uid();
        const other = requests(uid(), 1);
        await limiter.consume([requests(id, 1), tokens(id, 10, 10)], T0);
        await limiter.consume([other], T0);
        await limiter.reset({ scope: 'key', id, metric: 'requests' });
        const after = await limiter.peek([requests(id, 1), tokens(id, 10, 1)], T0 + 1);
        assert.deepEqual(
          after.checks.map((c) => c.allowed),
          [true, false],
        );
        await limiter.reset({ scope: 'key', id });
        assert.equal((await limiter.peek([tokens(id, 10, 10)], T0 + 2)).allowed, true);
        assert.equal((await limiter.peek([other], T0 + 2)).allowed, false, 'another id is untouched');
      }));

    test('ids with separators and glob characters are isolated', () =>
      withLimiter(async (limiter) => {
        const base = uid();
        const a = requests(`${base}:*`, 1);
        const b = requests(`${base}:x`, 1);
        await limiter.consume([a], T0);
        await limiter.consume([b], T0);
        await limiter.reset({ scope: 'key', id: `${base}:*` });
        assert.equal((await limiter.peek([a], T0 + 1)).allowed, true);
        assert.equal((await limiter.peek([b], T0 + 1)).allowed, false);
      }));

    test('headers describe the tightest check per metric', () =>
      withLimiter(async (limiter) => {
        const key = requests(uid(), 100, 'key');
        const user = requests(uid(), 3, 'user');
        const tok = tokens(uid(), 10_000, 4000, 'key');
        await limiter.consume([key, user, tok], T0);
        const ok = await limiter.consume([key, user, tok], T0 + 1500);
        assert.deepEqual(rateLimitHeaders(ok), {
          'x-ratelimit-limit-requests': '3',
          'x-ratelimit-remaining-requests': '1',
          'x-ratelimit-reset-requests': '1m0s',
          'x-ratelimit-limit-tokens': '10000',
          'x-ratelimit-remaining-tokens': '2000',
          'x-ratelimit-reset-tokens': '1m0s',
        });
        await limiter.consume([key, user], T0 + 2000);
        const refused = await limiter.consume([key, user], T0 + 2500);
        const headers = rateLimitHeaders(refused);
        assert.equal(headers['x-ratelimit-remaining-requests'], '0');
        assert.equal(headers['x-ratelimit-reset-requests'], '59.5s');
        assert.equal(headers['retry-after-ms'], '57500');
        assert.equal(headers['retry-after'], '58');
      }));
  });
}
