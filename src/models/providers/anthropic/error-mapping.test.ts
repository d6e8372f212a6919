import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorKind } from '../../../core/errors.js';
import { mapAnthropicHttpError, mapAnthropicStreamError, parseAnthropicErrorBody } from './error-mapping.js';

const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

test('each Anthropic error type maps to its kind, keeping status, type, message and provider', () => {
  const cases: [number, string, ErrorKind, boolean][] = [
    [400, 'invalid_request_error', 'invalid_request', false],
    [401, 'authentication_error', 'authentication', false],
    [403, 'permission_error', 'permission', false],
    [404, 'not_found_error', 'not_found', false],
    [413, 'request_too_large', 'payload_too_large', false],
    [429, 'rate_limit_error', 'rate_limited', true],
    [500, 'api_error', 'provider_error', true],
    [504, 'timeout_error', 'timeout', true],
    [529, 'overloaded_error', 'provider_unavailable', true],
  ];
  for (const [status, type, kind, retryable] of cases) {
    const err = mapAnthropicHttpError(status, {}, body(type, `msg for ${type}`), 'claude-x');
    assert.equal(err.kind, kind, type);
    assert.equal(err.retryable, retryable, type);
    assert.equal(err.upstreamStatus, status);
    assert.equal(err.code, type);
    assert.equal(err.provider, 'anthropic');
    assert.equal(err.model, 'claude-x');
    assert.ok(err.message.includes(`msg for ${type}`), err.message);
  }
});

test('prompt too long is context_length, other 400s stay invalid_request', () => {
  assert.equal(mapAnthropicHttpError(400, {}, body('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'), 'm').kind, 'context_length');
  assert.equal(
    mapAnthropicHttpError(400, {}, body('invalid_request_error', 'input length and `max_tokens` exceed context limit: 197202 + 21333 > 200000'), 'm').kind,
    'context_length',
  );
  assert.equal(mapAnthropicHttpError(400, {}, body('invalid_request_error', 'max_tokens: Field required'), 'm').kind, 'invalid_request');
});

test('rate limits carry retry-after as milliseconds', () => {
  const err = mapAnthropicHttpError(429, { 'retry-after': '7' }, body('rate_limit_error', 'slow down'), 'm');
  assert.equal(err.retryAfterMs, 7000);
  const overloaded = mapAnthropicHttpError(529, { 'retry-after': '1' }, body('overloaded_error', 'Overloaded'), 'm');
  assert.equal(overloaded.retryAfterMs, 1000);
});

test('non-Anthropic bodies fall back to the status; a generic api_error defers to a more specific status', () => {
  const html = mapAnthropicHttpError(502, {}, '<html>Bad gateway</html>', 'm');
  assert.equal(html.kind, 'provider_error');
  assert.equal(html.code, undefined);
  assert.ok(html.message.includes('Bad gateway'));
  assert.equal(mapAnthropicHttpError(503, {}, '', 'm').kind, 'provider_unavailable');
  assert.ok(mapAnthropicHttpError(503, {}, '', 'm').message.includes('HTTP 503'));
  assert.equal(mapAnthropicHttpError(503, {}, body('api_error', 'unavailable'), 'm').kind, 'provider_unavailable');
  assert.equal(mapAnthropicHttpError(401, {}, 'nope', 'm').kind, 'authentication');
});

test('in-band stream errors map by type, with no upstream status', () => {
  const err = mapAnthropicStreamError({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'm');
  assert.equal(err.kind, 'provider_unavailable');
  assert.equal(err.upstreamStatus, undefined);
  assert.ok(err.message.includes('Overloaded'));
  assert.equal(mapAnthropicStreamError({ type: 'error', error: { type: 'api_error', message: 'x' } }, 'm').kind, 'provider_error');
  assert.equal(mapAnthropicStreamError({ type: 'error' }, 'm').kind, 'provider_error');
});

test('parseAnthropicErrorBody tolerates junk', () => {
  assert.deepEqual(parseAnthropicErrorBody('not json'), { type: undefined, message: undefined });
  assert.deepEqual(parseAnthropicErrorBody({ error: 'flat' }), { type: undefined, message: undefined });
  assert.deepEqual(parseAnthropicErrorBody(body('api_error', 'boom')), { type: 'api_error', message: 'boom' });
});
