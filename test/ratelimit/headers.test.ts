import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResetDuration, rateLimitHeaders } from '../../src/ratelimit/headers.js';
import type { LimitCheckResult, LimitDecision } from '../../src/ratelimit/types.js';

describe('formatResetDuration (OpenAI / Go duration style)', () => {
  test('matches the forms OpenAI sends', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [20, '20ms'],
      [0.2, '1ms'], // rounded up: never report a reset early
      [999, '999ms'],
      [1000, '1s'],
      [1500, '1.5s'],
      [8640, '8.64s'],
      [59_999, '59.999s'],
      [60_000, '1m0s'],
      [86_572, '1m26.572s'],
      [360_000, '6m0s'],
      [3_600_000, '1h0m0s'],
      [3_723_050, '1h2m3.05s'],
    ];
    for (const [ms, expected] of cases) assert.equal(formatResetDuration(ms), expected, `${ms} ms`);
  });
});

function result(partial: Partial<LimitCheckResult>): LimitCheckResult {
  return {
    scope: 'key',
    id: 'k',
    metric: 'requests',
    limit: 10,
    windowMs: 60_000,
    cost: 1,
    allowed: true,
    remaining: 5,
    resetMs: 1000,
    retryAfterMs: 0,
    tooLarge: false,
    ...partial,
  };
}

describe('rateLimitHeaders', () => {
  test('omits a metric the request was not checked on, and retry headers when allowed', () => {
    const decision: LimitDecision = {
      allowed: true,
      retryAfterMs: 0,
      tooLarge: false,
      degraded: false,
      now: 0,
      checks: [result({ limit: 60, remaining: 59, resetMs: 20 })],
    };
    assert.deepEqual(rateLimitHeaders(decision), {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '20ms',
    });
  });

  test('picks the fewest remaining, then the smallest limit; adds retry-after when refused', () => {
    const decision: LimitDecision = {
      allowed: false,
      retryAfterMs: 1200.4,
      tooLarge: false,
      degraded: false,
      now: 0,
      checks: [
        result({ scope: 'key', limit: 100, remaining: 0, resetMs: 5000 }),
        result({ scope: 'user', limit: 50, remaining: 0, resetMs: 7000, allowed: false }),
        result({ scope: 'team', metric: 'tokens', limit: 9000, remaining: 10, resetMs: 360_000 }),
        result({ scope: 'model', metric: 'tokens', limit: 5000, remaining: 20, resetMs: 1000 }),
      ],
    };
    assert.deepEqual(rateLimitHeaders(decision), {
      'x-ratelimit-limit-requests': '50',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '7s',
      'x-ratelimit-limit-tokens': '9000',
      'x-ratelimit-remaining-tokens': '10',
      'x-ratelimit-reset-tokens': '6m0s',
      'retry-after': '2',
      'retry-after-ms': '1201',
    });
  });

  test('a request too large for its limit gets no retry promise', () => {
    const decision: LimitDecision = {
      allowed: false,
      retryAfterMs: 0,
      tooLarge: true,
      degraded: false,
      now: 0,
      checks: [result({ metric: 'tokens', limit: 100, remaining: 100, cost: 500, allowed: false, tooLarge: true })],
    };
    const headers = rateLimitHeaders(decision);
    assert.equal(headers['retry-after'], undefined);
    assert.equal(headers['x-ratelimit-remaining-tokens'], '100');
  });
});
