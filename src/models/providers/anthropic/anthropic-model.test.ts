/**
 * The adapter's I/O against the fake Anthropic upstream (which rejects requests the real API
 * would reject) and, for byte-level edge cases the fake's scenarios do not express, a raw server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConduitError } from '../../../core/errors.js';
import type { Message } from '../../../core/messages.js';
import type { StreamPart } from '../../language-model.js';
import type { FakeUpstream } from '../../../../test/fake-upstream/fake-upstream.js';
import { startFakeAnthropic } from '../../../../test/fake-upstream/anthropic-upstream.js';
import { anthropicMessagesURL, createAnthropicModel } from './anthropic-model.js';

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

async function collectUntilError(stream: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; error: unknown }> {
  const parts: StreamPart[] = [];
  try {
    for await (const p of stream) parts.push(p);
  } catch (error) {
    return { parts, error };
  }
  return { parts, error: undefined };
}

test('anthropicMessagesURL appends /v1/messages, tolerating a trailing slash or /v1', () => {
  assert.equal(anthropicMessagesURL(), 'https://api.anthropic.com/v1/messages');
  assert.equal(anthropicMessagesURL('http://127.0.0.1:9/'), 'http://127.0.0.1:9/v1/messages');
  assert.equal(anthropicMessagesURL('http://proxy.local/anthropic/v1'), 'http://proxy.local/anthropic/v1/messages');
});

describe('createAnthropicModel against the fake upstream', () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await startFakeAnthropic();
  });
  after(() => upstream.close());

  const last = () => upstream.requests.at(-1)!;

  test('sends x-api-key, anthropic-version, configured and per-call headers to /v1/messages', async () => {
    const model = createAnthropicModel({ modelId: 'claude-sonnet-4-6', baseURL: `${upstream.url}/v1`, apiKey: 'sk-ant-test', headers: { 'anthropic-beta': 'feature-x' } });
    assert.equal(model.provider, 'anthropic');
    assert.equal(model.modelId, 'claude-sonnet-4-6');
    await model.generate({ messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-per-call': 'yes' } });
    const req = last();
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.headers['x-api-key'], 'sk-ant-test');
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.headers['anthropic-beta'], 'feature-x');
    assert.equal(req.headers['x-per-call'], 'yes');
    assert.equal(req.headers['accept'], 'application/json');
    const custom = createAnthropicModel({ modelId: 'claude-sonnet-4-6', baseURL: upstream.url, apiKey: 'k', anthropicVersion: '2099-01-01' });
    await collect(custom.stream({ messages: [{ role: 'user', content: 'hi' }] }));
    assert.equal(last().headers['anthropic-version'], '2099-01-01');
    assert.equal(last().headers['accept'], 'text/event-stream');
    assert.equal((last().body as { stream?: boolean }).stream, true);
  });

  test('without apiKey the ANTHROPIC_API_KEY environment variable is used', async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = 'sk-from-env';
    try {
      await createAnthropicModel({ modelId: 'claude-haiku-4-5', baseURL: upstream.url }).generate({ messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(last().headers['x-api-key'], 'sk-from-env');
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  test('a full agent conversation is accepted by the strict fake, in generate and stream', async () => {
    const model = createAnthropicModel({ modelId: 'claude-sonnet-4-6', baseURL: upstream.url, apiKey: 'k' });
    const messages: Message[] = [
      { role: 'system', content: [{ type: 'text', text: 'You are a travel agent.', cacheControl: { type: 'ephemeral' } }] },
      { role: 'user', content: 'Plan a trip.' },
      { role: 'user', content: [{ type: 'text', text: 'Here is a photo:' }, { type: 'image', url: 'data:image/jpeg;base64,/9j/4AAQ' }] },
      {
        role: 'assistant',
        content: 'Checking two things.',
        toolCalls: [
          { id: 'toolu_w', name: 'get_weather', arguments: '{"city":"Rome"}' },
          { id: 'toolu_f', name: 'find_flights', arguments: '{"to":"FCO"}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_w', content: 'sunny' },
      { role: 'tool', toolCallId: 'toolu_f', content: 'no flights', isError: true },
      { role: 'user', content: 'And hotels?' },
    ];
    const request = {
      messages,
      tools: [
        { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
        { name: 'find_flights', parameters: { type: 'object', properties: { to: { type: 'string' } } }, cacheControl: { type: 'ephemeral' as const } },
      ],
      toolChoice: 'auto' as const,
      parallelToolCalls: false,
      reasoningEffort: 'high' as const,
    };
    upstream.enqueue({ kind: 'reply', reasoning: 'Hotels next.', text: 'Hotel Roma is free.' });
    const r = await model.generate(request);
    assert.equal(r.text, 'Hotel Roma is free.');
    assert.equal(r.reasoning, 'Hotels next.');
    const body = last().body as { messages: { role: string; content: { type: string }[] }[]; tool_choice: unknown; thinking: unknown; max_tokens: number; system: unknown };
    assert.deepEqual(
      body.messages.map((m) => [m.role, m.content.map((b) => b.type)]),
      [
        ['user', ['text', 'text', 'image']],
        ['assistant', ['text', 'tool_use', 'tool_use']],
        ['user', ['tool_result', 'tool_result', 'text']],
      ],
    );
    assert.deepEqual(body.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 16384 });
    assert.ok(body.max_tokens > 16384);
    assert.deepEqual(body.system, [{ type: 'text', text: 'You are a travel agent.', cache_control: { type: 'ephemeral' } }]);

    upstream.enqueue({ kind: 'reply', text: 'Streamed too.' });
    const parts = await collect(model.stream(request));
    assert.equal(parts.at(-1)?.type, 'finish');
    assert.equal(parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join(''), 'Streamed too.');
  });

  test('the start part carries the message id and model', async () => {
    const model = createAnthropicModel({ modelId: 'claude-sonnet-4-6', baseURL: upstream.url, apiKey: 'k' });
    upstream.enqueue({ kind: 'reply', text: 'x', model: 'claude-sonnet-4-6-20260101' });
    const [start] = await collect(model.stream({ messages: [{ role: 'user', content: 'hi' }] }));
    assert.ok(start?.type === 'start');
    assert.equal(start.provider, 'anthropic');
    assert.equal(start.model, 'claude-sonnet-4-6-20260101');
    assert.match(start.id ?? '', /^msg_/);
  });

  test('529 overloaded is provider_unavailable; prompt too long is context_length; retry-after is kept', async () => {
    const model = createAnthropicModel({ modelId: 'claude-sonnet-4-6', baseURL: upstream.url, apiKey: 'k' });
    upstream.enqueue({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded', retryAfterSeconds: 4 });
    await assert.rejects(model.generate({ messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => {
      assert.ok(err instanceof ConduitError);
      assert.equal(err.kind, 'provider_unavailable');
      assert.equal(err.upstreamStatus, 529);
      assert.equal(err.retryAfterMs, 4000);
      assert.equal(err.code, 'overloaded_error');
      return true;
    });
    upstream.enqueue({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' });
    await assert.rejects(collect(model.stream({ messages: [{ role: 'user', content: 'hi' }] })), (err: unknown) => err instanceof ConduitError && err.kind === 'context_length');
  });

  test('a request the adapter cannot map fails before contacting the upstream', async () => {
    const model = createAnthropicModel({ modelId: 'claude-sonnet-4-6', baseURL: upstream.url, apiKey: 'k' });
    const before = upstream.requests.length;
    const bad: Message[] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, toolCalls: [{ id: 't', name: 'f', arguments: '{broken' }] },
    ];
    await assert.rejects(model.generate({ messages: bad }), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
    await assert.rejects(collect(model.stream({ messages: bad })), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
    assert.equal(upstream.requests.length, before);
  });
});

describe('stream edge cases against a raw server', () => {
  let handler: (res: ServerResponse) => void = () => undefined;
  let url = '';
  let closedResponses = 0;
  const server = createServer((req, res) => {
    req.resume();
    res.on('close', () => closedResponses++);
    handler(res);
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sse = (type: string, data: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const START = sse('message_start', { message: { id: 'msg_raw', model: 'raw', usage: { input_tokens: 1, output_tokens: 1 } } });
  const TEXT_BLOCK = sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  const delta = (text: string) => sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
  const model = () => createAnthropicModel({ modelId: 'raw', baseURL: url, apiKey: 'k', idleTimeoutMs: 2_000 });

  test('a stream that ends cleanly without message_stop: provider_error before content, stream_interrupted after', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(START + TEXT_BLOCK);
    };
    const early = await collectUntilError(model().stream({ messages: [{ role: 'user', content: 'x' }] }));
    assert.ok(early.error instanceof ConduitError);
    assert.equal(early.error.kind, 'provider_error');
    assert.match(early.error.message, /message_stop/);
    assert.equal(early.error.retryable, true);

    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(START + TEXT_BLOCK + delta('partial'));
    };
    const late = await collectUntilError(model().stream({ messages: [{ role: 'user', content: 'x' }] }));
    assert.deepEqual(late.parts.filter((p) => p.type === 'text-delta'), [{ type: 'text-delta', delta: 'partial' }]);
    assert.ok(late.error instanceof ConduitError);
    assert.equal(late.error.kind, 'stream_interrupted');
    assert.equal(late.error.retryable, false);
    assert.ok(late.error.cause instanceof ConduitError && late.error.cause.kind === 'provider_error', 'the original error is the cause');
  });

  test('pings keep a slow stream alive past the idle timeout; the finish arrives', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(START + TEXT_BLOCK + delta('a'));
      let pings = 0;
      const timer = setInterval(() => {
        if (++pings <= 3) res.write(sse('ping'));
        else {
          clearInterval(timer);
          res.end(sse('content_block_stop', { index: 0 }) + sse('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }) + sse('message_stop'));
        }
      }, 800);
      res.on('close', () => clearInterval(timer));
    };
    const parts = await collect(model().stream({ messages: [{ role: 'user', content: 'x' }] }));
    const finish = parts.at(-1);
    assert.ok(finish?.type === 'finish');
    assert.equal(finish.finishReason, 'stop');
  });

  test('a consumer that stops early releases the upstream connection', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(START + TEXT_BLOCK + delta('first'));
      // …and then nothing: only the client closing can end this response.
    };
    const before = closedResponses;
    for await (const part of model().stream({ messages: [{ role: 'user', content: 'x' }] })) {
      if (part.type === 'text-delta') break;
    }
    const deadline = Date.now() + 1_500;
    while (closedResponses === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closedResponses, before + 1, 'the server saw the stream closed well before the idle timeout');
  });
});
