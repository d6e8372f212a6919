import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import { interruptedAfterContent, mapInBandError, mapOpenAIError, parseOpenAIErrorBody } from './errors.js';

const map = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  mapOpenAIError({ provider: 'openai', model: 'gpt-4o', status, headers, bodyText: typeof body === 'string' ? body : JSON.stringify(body) });
const openAIBody = (message: string, type: string, code: string | null = null, param: string | null = null) => ({ error: { message, type, param, code } });

describe('mapOpenAIError', () => {
  test('statuses map to kinds, keeping message, code, param and upstream status', () => {
    const cases: [number, string][] = [
      [400, 'invalid_request'],
      [401, 'authentication'],
      [403, 'permission'],
      [404, 'not_found'],
      [408, 'timeout'],
      [413, 'payload_too_large'],
      [422, 'invalid_request'],
      [429, 'rate_limited'],
      [500, 'provider_error'],
      [502, 'provider_error'],
      [503, 'provider_unavailable'],
      [504, 'timeout'],
      [529, 'provider_unavailable'],
    ];
    for (const [status, kind] of cases) {
      const err = map(status, openAIBody(`boom ${status}`, 'some_type', 'some_code', 'messages'));
      assert.ok(err instanceof ConduitError);
      assert.equal(err.kind, kind, `status ${status}`);
      assert.equal(err.upstreamStatus, status);
      assert.equal(err.code, 'some_code');
      assert.equal(err.param, 'messages');
      assert.equal(err.provider, 'openai');
      assert.equal(err.model, 'gpt-4o');
      assert.ok(err.message.includes(`boom ${status}`));
    }
  });

  test('context_length_exceeded and vLLM-style context messages map to context_length', () => {
    assert.equal(map(400, openAIBody("This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded', 'messages')).kind, 'context_length');
    assert.equal(map(400, { object: 'error', message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens", type: 'BadRequestError', code: 400 }).kind, 'context_length');
    assert.equal(map(400, { error: 'the request exceeds the available context size, try increasing it' }).kind, 'context_length');
  });

  test('content policy violations map to policy_refusal', () => {
    assert.equal(map(400, openAIBody('Your request was rejected as a result of our safety system.', 'invalid_request_error', 'content_policy_violation')).kind, 'policy_refusal');
    assert.equal(map(400, openAIBody("The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", 'invalid_request_error', 'content_filter')).kind, 'policy_refusal');
    assert.equal(map(400, openAIBody('Invalid value for temperature', 'invalid_request_error')).kind, 'invalid_request');
  });

  test('429 carries retryAfterMs from retry-after-ms or Retry-After; insufficient_quota is not retryable', () => {
    const byMs = map(429, openAIBody('Rate limit reached', 'requests', 'rate_limit_exceeded'), { 'retry-after-ms': '1500', 'retry-after': '9' });
    assert.equal(byMs.retryAfterMs, 1500);
    assert.equal(byMs.retryable, true);
    assert.equal(map(429, openAIBody('Rate limit reached', 'requests'), { 'retry-after': '3' }).retryAfterMs, 3000);
    const quota = map(429, openAIBody('You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'));
    assert.equal(quota.kind, 'rate_limited');
    assert.equal(quota.retryable, false);
  });

  test('non-JSON and other dialects keep a useful message', () => {
    const html = map(502, '<html>Bad Gateway</html>');
    assert.equal(html.kind, 'provider_error');
    assert.ok(html.message.includes('<html>Bad Gateway</html>'));
    assert.ok(map(500, '').message.includes('HTTP 500'));
    const ollama = map(404, { error: 'model "llama9" not found, try pulling it first' });
    assert.equal(ollama.kind, 'not_found');
    assert.ok(ollama.message.includes('llama9'));
  });

  test('parseOpenAIErrorBody reads the three dialects', () => {
    assert.deepEqual(parseOpenAIErrorBody(JSON.stringify(openAIBody('m', 't', 'c', 'p'))), { message: 'm', type: 't', code: 'c', param: 'p' });
    assert.deepEqual(parseOpenAIErrorBody('{"error":"plain"}'), { message: 'plain' });
    assert.deepEqual(parseOpenAIErrorBody('{"object":"error","message":"vllm","type":"BadRequestError","code":400}'), { message: 'vllm', type: 'BadRequestError', code: '400' });
    assert.equal(parseOpenAIErrorBody('nope'), undefined);
  });
});

describe('mapInBandError / interruptedAfterContent', () => {
  test('in-band kinds come from type and message', () => {
    assert.equal(mapInBandError({ message: 'x', type: 'server_error' }, 'p', 'm').kind, 'provider_error');
    assert.equal(mapInBandError({ message: 'Model is overloaded', type: 'server_error' }, 'p', 'm').kind, 'provider_unavailable');
    assert.equal(mapInBandError({ message: 'Rate limit exceeded' }, 'p', 'm').kind, 'rate_limited');
  });

  test('retryable provider failures after content become stream_interrupted; timeouts and cancellation stay', () => {
    const cause = new ConduitError('provider_unavailable', 'socket closed', { provider: 'openai', model: 'm' });
    const wrapped = interruptedAfterContent(cause);
    assert.equal(wrapped.kind, 'stream_interrupted');
    assert.equal(wrapped.cause, cause);
    assert.equal(wrapped.provider, 'openai');
    assert.ok(wrapped.message.includes('socket closed'));
    const timeout = new ConduitError('timeout', 'stalled');
    assert.equal(interruptedAfterContent(timeout), timeout);
    const cancelled = new ConduitError('cancelled', 'aborted');
    assert.equal(interruptedAfterContent(cancelled), cancelled);
  });
});
