import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter, retryAfterFromHeaders } from './retry-after.js';

test('parses delta-seconds, fractional seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter('0.5'), 500);
  const now = Date.parse('2026-11-25T12:00:00Z');
  assert.equal(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now), 0);
});

test('rejects garbage and absent values', () => {
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter(''), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter('-3'), undefined);
});

test('retry-after-ms wins over retry-after', () => {
  assert.equal(retryAfterFromHeaders({ 'retry-after-ms': '150', 'retry-after': '9' }), 150);
  assert.equal(retryAfterFromHeaders({ 'retry-after': '3' }), 3000);
  assert.equal(retryAfterFromHeaders({}), undefined);
});
