/**
 * The fake Anthropic upstream against raw HTTP (exact bytes) and against the official
 * @anthropic-ai/sdk, an independent parser of the real wire format: if the SDK reads our messages
 * and streams correctly, the adapter's tests against this fake mean something.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { FakeUpstream } from './fake-upstream.js';
import { startFakeAnthropic } from './anthropic-upstream.js';

const HEADERS = { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
const MINIMAL = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };

interface Raw {
  status: number;
  headers: Headers;
  text: string;
}

async function post(upstream: FakeUpstream, body: unknown, headers: Record<string, string> = HEADERS): Promise<Raw> {
  const res = await fetch(`${upstream.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const m = /^event: (\S+)\ndata: (.*)$/s.exec(block);
      assert.ok(m, `an SSE frame is exactly "event: <type>\\ndata: <json>": ${JSON.stringify(block)}`);
      return { event: m[1]!, data: JSON.parse(m[2]!) as Record<string, unknown> };
    });
}

describe('fake Anthropic upstream: wire format', () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await startFakeAnthropic();
  });
  after(() => upstream.close());

  test('a reply is a Messages API message with usage split the Anthropic way', async () => {
    upstream.enqueue({ kind: 'reply', text: 'Hello', usage: { inputTokens: 100, outputTokens: 7, cachedInputTokens: 60, cacheWriteTokens: 10 }, model: 'claude-z' });
    const res = await post(upstream, MINIMAL);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    assert.equal(body.type, 'message');
    assert.equal(body.role, 'assistant');
    assert.equal(body.model, 'claude-z');
    assert.match(String(body.id), /^msg_/);
    assert.deepEqual(body.content, [{ type: 'text', text: 'Hello' }]);
    assert.equal(body.stop_reason, 'end_turn');
    assert.deepEqual(body.usage, { input_tokens: 30, cache_creation_input_tokens: 10, cache_read_input_tokens: 60, output_tokens: 7 });
  });

  test('a streamed reply uses event-named SSE frames in the API order, tool input as partial_json', async () => {
    upstream.enqueue({ kind: 'reply', chunks: ['Hi ', 'there'], toolCalls: [{ id: 'toolu_1', name: 'f', arguments: '{"a":"bcdefghij"}' }], reasoning: 'hmm' });
    const res = await post(upstream, { ...MINIMAL, stream: true });
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sseEvents(res.text);
    for (const e of events) assert.equal(e.data.type, e.event, 'the data type repeats the event name');
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'message_start',
        ...['content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop'], // thinking + signature
        'ping',
        ...['content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop'], // text
        ...['content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop'], // tool_use
        'message_delta',
        'message_stop',
      ],
    );
    const toolDeltas = events.filter((e) => (e.data.delta as { type?: string } | undefined)?.type === 'input_json_delta');
    assert.equal(toolDeltas.map((e) => (e.data.delta as { partial_json: string }).partial_json).join(''), '{"a":"bcdefghij"}');
    assert.equal((events.at(-2)!.data.delta as { stop_reason: string }).stop_reason, 'tool_use');
  });

  test('error scenarios render Anthropic error bodies with retry-after', async () => {
    upstream.enqueue({ kind: 'error', status: 429, message: 'slow down', retryAfterSeconds: 3 });
    const res = await post(upstream, MINIMAL);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    const body = JSON.parse(res.text) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.deepEqual(body.error, { type: 'rate_limit_error', message: 'slow down' });
    upstream.enqueue({ kind: 'error', status: 529, message: 'Overloaded' });
    assert.equal((JSON.parse((await post(upstream, MINIMAL)).text) as { error: { type: string } }).error.type, 'overloaded_error');
  });

  test('in-band error: content, then an `event: error` frame with overloaded_error, then the end', async () => {
    upstream.enqueue({ kind: 'fault', fault: { type: 'in-band-error-after-chunks', chunks: 1, message: 'busy' }, then: { kind: 'reply', chunks: ['a', 'b'] } });
    const events = sseEvents((await post(upstream, { ...MINIMAL, stream: true })).text);
    assert.equal(events.filter((e) => e.event === 'content_block_delta').length, 1);
    assert.deepEqual(events.at(-1), { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } });
  });

  test('cut-after-chunks delivers the content, then the connection dies without message_stop', async () => {
    upstream.enqueue({ kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks: ['x1', 'x2', 'x3'] } });
    const res = await fetch(`${upstream.url}/v1/messages`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ ...MINIMAL, stream: true }) });
    let received = '';
    const decoder = new TextDecoder();
    await assert.rejects(async () => {
      for await (const chunk of res.body!) received += decoder.decode(chunk, { stream: true });
    });
    assert.ok(received.includes('"x2"') && !received.includes('"x3"') && !received.includes('message_stop'), received);
  });

  test('connection-reset and malformed-json faults', async () => {
    upstream.enqueue({ kind: 'fault', fault: { type: 'connection-reset' } });
    await assert.rejects(post(upstream, MINIMAL));
    upstream.enqueue({ kind: 'fault', fault: { type: 'malformed-json' } });
    const res = await post(upstream, MINIMAL);
    assert.equal(res.status, 200);
    assert.throws(() => JSON.parse(res.text));
  });

  test('GET /v1/models lists models; unknown paths are 404 not_found_error', async () => {
    const models = (await (await fetch(`${upstream.url}/v1/models`, { headers: HEADERS })).json()) as { data: { id: string; type: string }[]; has_more: boolean };
    assert.ok(models.data.length > 0 && models.data.every((m) => m.type === 'model' && m.id.startsWith('claude-')));
    assert.equal(models.has_more, false);
    const res = await fetch(`${upstream.url}/v1/nothing`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'not_found_error');
  });

  test('scenarios can come from a function and default to a plain reply', async () => {
    const fn = await startFakeAnthropic({ scenarios: (req) => ({ kind: 'reply', text: `echo ${(req.body as { model: string }).model}` }) });
    try {
      assert.deepEqual((JSON.parse((await post(fn, MINIMAL)).text) as { content: unknown }).content, [{ type: 'text', text: 'echo claude-sonnet-4-5' }]);
    } finally {
      await fn.close();
    }
    const plain = await startFakeAnthropic({ record: false });
    try {
      assert.equal((await post(plain, MINIMAL)).status, 200);
      assert.equal(plain.requests.length, 0, 'record: false keeps nothing');
    } finally {
      await plain.close();
    }
  });
});

describe('fake Anthropic upstream: request validation like the real API', () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await startFakeAnthropic();
  });
  after(() => upstream.close());

  const rejects = async (body: unknown, status: number, type: string, messagePart: string, headers?: Record<string, string>) => {
    const res = await post(upstream, body, headers);
    assert.equal(res.status, status, res.text);
    const parsed = JSON.parse(res.text) as { error: { type: string; message: string } };
    assert.equal(parsed.error.type, type);
    assert.ok(parsed.error.message.includes(messagePart), parsed.error.message);
  };

  test('missing max_tokens, model or messages', async () => {
    await rejects({ model: 'm', messages: MINIMAL.messages }, 400, 'invalid_request_error', 'max_tokens');
    await rejects({ max_tokens: 5, messages: MINIMAL.messages }, 400, 'invalid_request_error', 'model');
    await rejects({ model: 'm', max_tokens: 5, messages: [] }, 400, 'invalid_request_error', 'at least one message');
  });

  test('missing api key is 401, missing anthropic-version is 400', async () => {
    await rejects(MINIMAL, 401, 'authentication_error', 'x-api-key', { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' });
    await rejects(MINIMAL, 400, 'invalid_request_error', 'anthropic-version', { 'content-type': 'application/json', 'x-api-key': 'k' });
  });

  test('roles must alternate; system is not a message role; empty text blocks are refused', async () => {
    await rejects({ ...MINIMAL, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, 400, 'invalid_request_error', 'roles must alternate');
    await rejects({ ...MINIMAL, messages: [{ role: 'system', content: 'a' }] }, 400, 'invalid_request_error', "'user' or 'assistant'");
    await rejects({ ...MINIMAL, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, 400, 'invalid_request_error', 'non-empty');
  });

  test('tool_use must be answered by tool_result blocks first in the next user turn, and tools must be defined', async () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const call = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] };
    await rejects({ ...MINIMAL, tools, messages: [MINIMAL.messages[0], call, { role: 'user', content: 'no result' }] }, 400, 'invalid_request_error', 'without `tool_result`');
    await rejects(
      { ...MINIMAL, tools, messages: [MINIMAL.messages[0], call, { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }] }] },
      400,
      'invalid_request_error',
      'must come first',
    );
    await rejects({ ...MINIMAL, tools, messages: [MINIMAL.messages[0], call, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'r' }] }] }, 400, 'invalid_request_error', 'toolu_9');
    await rejects({ ...MINIMAL, messages: [MINIMAL.messages[0], call, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }] }] }, 400, 'invalid_request_error', 'must define tools');
    const ok = await post(upstream, { ...MINIMAL, tools, messages: [MINIMAL.messages[0], call, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r', is_error: true }] }] });
    assert.equal(ok.status, 200, ok.text);
  });

  test('tool schemas, tool_choice and thinking budgets are checked', async () => {
    await rejects({ ...MINIMAL, tools: [{ name: 'f', input_schema: { properties: {} } }] }, 400, 'invalid_request_error', 'input_schema.type');
    await rejects({ ...MINIMAL, tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'required' } }, 400, 'invalid_request_error', 'tool_choice');
    await rejects({ ...MINIMAL, thinking: { type: 'enabled', budget_tokens: 500 } }, 400, 'invalid_request_error', 'budget_tokens');
    await rejects({ ...MINIMAL, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }, 400, 'invalid_request_error', 'max_tokens');
  });

  test('a rejected request does not consume the queued scenario', async () => {
    upstream.enqueue({ kind: 'reply', text: 'kept for the valid request' });
    await rejects({ model: 'm', messages: MINIMAL.messages }, 400, 'invalid_request_error', 'max_tokens');
    assert.equal((JSON.parse((await post(upstream, MINIMAL)).text) as { content: { text: string }[] }).content[0]!.text, 'kept for the valid request');
  });
});

describe('fake Anthropic upstream: read by the official @anthropic-ai/sdk', () => {
  let upstream: FakeUpstream;
  let client: Anthropic;
  before(async () => {
    upstream = await startFakeAnthropic();
    client = new Anthropic({ apiKey: 'sdk-key', baseURL: upstream.url, maxRetries: 0 });
  });
  after(() => upstream.close());

  const toolRequest = {
    model: 'claude-sonnet-4-6',
    max_tokens: 200,
    messages: [{ role: 'user' as const, content: 'Weather?' }],
    tools: [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }],
  };

  test('messages.create parses text, thinking, tool_use and usage', async () => {
    upstream.enqueue({
      kind: 'reply',
      reasoning: 'think',
      text: 'Let me check.',
      toolCalls: [{ id: 'toolu_sdk', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      usage: { inputTokens: 20, outputTokens: 9, cachedInputTokens: 5, reasoningTokens: 4 },
    });
    const msg = await client.messages.create(toolRequest);
    assert.deepEqual(
      msg.content.map((b) => b.type),
      ['thinking', 'text', 'tool_use'],
    );
    const tool = msg.content.find((b) => b.type === 'tool_use');
    assert.ok(tool?.type === 'tool_use');
    assert.deepEqual(tool.input, { city: 'Oslo' });
    assert.equal(msg.stop_reason, 'tool_use');
    assert.equal(msg.usage.input_tokens, 15);
    assert.equal(msg.usage.cache_read_input_tokens, 5);
    assert.equal(msg.usage.output_tokens_details?.thinking_tokens, 4);
  });

  test('messages.stream accumulates the SSE events into the same final message', async () => {
    upstream.enqueue({ kind: 'reply', reasoning: 'think more', chunks: ['Let ', 'me ', 'check.'], toolCalls: [{ id: 'toolu_s', name: 'get_weather', arguments: '{"city":"Lima"}' }] });
    const stream = client.messages.stream(toolRequest);
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const final = await stream.finalMessage();
    assert.deepEqual(texts, ['Let ', 'me ', 'check.']);
    const [thinking, text, tool] = final.content;
    assert.ok(thinking?.type === 'thinking' && thinking.thinking === 'think more' && thinking.signature === 'fake-signature');
    assert.ok(text?.type === 'text' && text.text === 'Let me check.');
    assert.ok(tool?.type === 'tool_use' && tool.id === 'toolu_s');
    assert.deepEqual(tool.input, { city: 'Lima' });
    assert.equal(final.stop_reason, 'tool_use');
  });

  test('the SDK reads error bodies and in-band stream errors as Anthropic errors', async () => {
    upstream.enqueue({ kind: 'error', status: 429, message: 'sdk-rate-limit', retryAfterSeconds: 1 });
    await assert.rejects(client.messages.create(toolRequest), (err: unknown) => err instanceof Anthropic.RateLimitError && err.message.includes('sdk-rate-limit'));
    upstream.enqueue({ kind: 'fault', fault: { type: 'in-band-error-after-chunks', chunks: 1, message: 'sdk-overloaded' }, then: { kind: 'reply', chunks: ['a', 'b'] } });
    await assert.rejects(client.messages.stream(toolRequest).finalMessage(), (err: unknown) => err instanceof Anthropic.APIError && err.message.includes('sdk-overloaded'));
  });
});
