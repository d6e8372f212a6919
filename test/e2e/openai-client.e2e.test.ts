/**
 * End to end: the official `openai` client (v6) → a running `conduit serve` → the fake OpenAI and
 * fake Anthropic upstreams, all over real HTTP on loopback. Nothing is scripted in memory: what the
 * client sees is what the gateway made of the upstream's real wire bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startFakeAnthropic } from '../fake-upstream/anthropic-upstream.js';
import type { FakeUpstream } from '../fake-upstream/fake-upstream.js';
import { computeCost, DEFAULT_PRICES } from '../../src/models/pricing/index.js';
import { emptyUsage } from '../../src/core/usage.js';
import { startConduit, type ConduitProcess } from './support/conduit-process.js';
import { bodyOf, lastModelCall, metricValue, modelCalls } from './support/fakes.js';

const weatherCall = { id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius","days":[1,2,3]}' };
const timeCall = { id: 'call_time_2', name: 'get_time', arguments: '{"tz":"Europe/Paris","format":"24h"}' };
const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', description: 'Time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];

function assertConduitHeaders(headers: Headers, provider: string): void {
  assert.match(headers.get('x-request-id') ?? '', /^[A-Za-z0-9._:/+=@-]+$/, 'x-request-id');
  assert.equal(headers.get('x-conduit-provider'), provider);
  const overhead = Number(headers.get('x-conduit-overhead-ms'));
  assert.ok(Number.isFinite(overhead) && overhead >= 0, `x-conduit-overhead-ms: ${headers.get('x-conduit-overhead-ms')}`);
}

/** Assembles the tool calls of a streamed completion by index, the way a client must. */
function assembleToolCalls(chunks: OpenAI.ChatCompletionChunk[]): { id: string; name: string; arguments: string }[] {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
      const call = (calls[d.index] ??= { id: '', name: '', arguments: '' });
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name = d.function.name;
      if (d.function?.arguments) call.arguments += d.function.arguments;
    }
  }
  return calls;
}

describe('e2e: openai client → conduit serve → fake upstreams', () => {
  let openaiUp: FakeOpenAI;
  let anthropicUp: FakeUpstream;
  let conduit: ConduitProcess;
  let client: OpenAI;

  before(async () => {
    openaiUp = await startFakeOpenAI();
    anthropicUp = await startFakeAnthropic();
    conduit = await startConduit({
      server: { host: '127.0.0.1', port: 0 },
      providers: {
        openai: { api_key: 'sk-upstream-openai', base_url: openaiUp.url },
        anthropic: { api_key: 'sk-ant-upstream', base_url: anthropicUp.url },
      },
      models: {
        // One deployment, no retries: what the client sees is the upstream's first answer.
        'no-retry': { deployments: [{ model: 'openai/gpt-4o-mini' }], max_retries: 0 },
      },
      reliability: { max_retries: 2, attempt_timeout_ms: 10_000, health_check_interval_ms: 0 },
      logging: { level: 'warn' },
    });
    // The client's own retries are off: every retry seen here is the gateway's.
    client = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${conduit.url}/v1`, maxRetries: 0, timeout: 20_000 });
  });

  after(async () => {
    await conduit?.stop();
    await openaiUp?.close();
    await anthropicUp?.close();
  });

  test('plain completion: text, usage, model, headers and the exact cost of gpt-4o-mini', async () => {
    openaiUp.enqueue({ kind: 'reply', text: 'Hello from upstream, via Conduit.', usage: { inputTokens: 1234, outputTokens: 56 } });
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], temperature: 0.1, max_tokens: 40 })
      .withResponse();

    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'gpt-4o-mini');
    assert.equal(data.choices[0]!.message.content, 'Hello from upstream, via Conduit.');
    assert.equal(data.choices[0]!.finish_reason, 'stop');
    assert.equal(data.usage?.prompt_tokens, 1234);
    assert.equal(data.usage?.completion_tokens, 56);
    assert.equal(data.usage?.total_tokens, 1290);
    assertConduitHeaders(response.headers, 'openai');

    const usage = { ...emptyUsage(), inputTokens: 1234, outputTokens: 56 };
    const expected = computeCost(usage, DEFAULT_PRICES['gpt-4o-mini']!);
    assert.ok(expected > 0);
    const cost = Number(response.headers.get('x-conduit-cost-usd'));
    assert.ok(Math.abs(cost - expected) < 1e-12, `x-conduit-cost-usd ${response.headers.get('x-conduit-cost-usd')} ≠ ${expected}`);

    // What reached the upstream: the provider's own model id, the mapped messages, Conduit's key (not the client's).
    const sent = lastModelCall(openaiUp);
    const body = bodyOf(sent);
    assert.equal(body.model, 'gpt-4o-mini');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
    assert.equal(body.temperature, 0.1);
    assert.equal(sent.headers.authorization, 'Bearer sk-upstream-openai');
  });

  test('the client\'s x-request-id is echoed; a bare well-known name (gpt-4o-mini) routes to openai', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-request-id': 'e2e-req-42' } })
      .withResponse();
    assert.equal(data.choices[0]!.message.content, 'Hello from the fake upstream.');
    assert.equal(response.headers.get('x-request-id'), 'e2e-req-42');
    assertConduitHeaders(response.headers, 'openai');
  });

  test('streamed completion: assembled text equals the upstream\'s, usage chunk with include_usage, [DONE]', async () => {
    const chunks = ['Stream', 'ing ', 'through ', 'Conduit ', 'works', '.'];
    openaiUp.enqueue({ kind: 'reply', chunks, usage: { inputTokens: 30, outputTokens: 6 } });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    assertConduitHeaders(response.headers, 'openai');
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);

    const received: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    const text = received.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, chunks.join(''));
    assert.ok(received.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length >= 2, 'the text arrives in several chunks');
    assert.equal(received.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'stop');
    const last = received.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage?.prompt_tokens, 30);
    assert.equal(last.usage?.completion_tokens, 6);
    for (const c of received) assert.equal(c.object, 'chat.completion.chunk');

    const body = bodyOf(lastModelCall(openaiUp));
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });

  test('tool calls, not streamed: a single call and two parallel calls keep their ids, names and JSON arguments', async () => {
    openaiUp.enqueue({ kind: 'reply', toolCalls: [weatherCall] });
    const single = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'weather?' }], tools, tool_choice: 'auto' });
    assert.equal(single.choices[0]!.finish_reason, 'tool_calls');
    const [call] = single.choices[0]!.message.tool_calls ?? [];
    assert.ok(call && call.type === 'function');
    assert.equal(call.id, weatherCall.id);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), JSON.parse(weatherCall.arguments));
    const sentTools = bodyOf(lastModelCall(openaiUp)).tools;
    assert.ok(Array.isArray(sentTools) && sentTools.length === 2, 'the tools reached the upstream');

    openaiUp.enqueue({ kind: 'reply', toolCalls: [weatherCall, timeCall] });
    const parallel = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'both' }], tools, parallel_tool_calls: true });
    const calls = (parallel.choices[0]!.message.tool_calls ?? []).map((c) => (c.type === 'function' ? { id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown } : undefined));
    assert.deepEqual(calls, [
      { id: weatherCall.id, name: weatherCall.name, args: JSON.parse(weatherCall.arguments) },
      { id: timeCall.id, name: timeCall.name, args: JSON.parse(timeCall.arguments) },
    ]);
    assert.equal(bodyOf(lastModelCall(openaiUp)).parallel_tool_calls, true);
  });

  test('tool calls, streamed: interleaved parallel deltas reassemble to intact JSON arguments', async () => {
    openaiUp.enqueue({ kind: 'reply', toolCalls: [weatherCall, timeCall] });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'both' }], tools, stream: true });
    const received: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) received.push(chunk);
    assert.deepEqual(assembleToolCalls(received), [weatherCall, timeCall]);
    assert.equal(received.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'tool_calls');

    // The SDK's own stream helper assembles a single streamed call too.
    openaiUp.enqueue({ kind: 'reply', toolCalls: [weatherCall] });
    const final = await client.chat.completions.stream({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one' }], tools }).finalChatCompletion();
    const [call] = final.choices[0]!.message.tool_calls ?? [];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), JSON.parse(weatherCall.arguments));
  });

  test('structured output: response_format json_schema reaches the upstream unchanged', async () => {
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'city_info',
        strict: true,
        schema: { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'], additionalProperties: false },
      },
    };
    openaiUp.enqueue({ kind: 'reply', text: '{"city":"Paris","population":2100000}' });
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Paris?' }], response_format: responseFormat });
    assert.deepEqual(JSON.parse(res.choices[0]!.message.content ?? ''), { city: 'Paris', population: 2100000 });
    assert.deepEqual(bodyOf(lastModelCall(openaiUp)).response_format, responseFormat);
  });

  test('upstream 400 → openai.BadRequestError with the upstream\'s message', async () => {
    openaiUp.enqueue({ kind: 'error', status: 400, message: "Invalid value for 'temperature': must be at most 2.", type: 'invalid_request_error', code: 'invalid_value' });
    const before = modelCalls(openaiUp).length;
    await assert.rejects(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError, `got ${String(err)}`);
      assert.equal(err.status, 400);
      assert.match(err.message, /temperature/);
      return true;
    });
    assert.equal(modelCalls(openaiUp).length, before + 1, 'a 400 is never retried');
  });

  test('upstream 401 → openai.AuthenticationError', async () => {
    openaiUp.enqueue({ kind: 'error', status: 401, message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' });
    const before = modelCalls(openaiUp).length;
    await assert.rejects(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError, `got ${String(err)}`);
      assert.equal(err.status, 401);
      return true;
    });
    assert.equal(modelCalls(openaiUp).length, before + 1, 'a 401 is never retried');
  });

  test('unknown model → openai.NotFoundError (404) without calling any upstream', async () => {
    const before = modelCalls(openaiUp).length + modelCalls(anthropicUp).length;
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model-anywhere', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError, `got ${String(err)}`);
      assert.equal(err.status, 404);
      assert.match(err.message, /no-such-model-anywhere/);
      return true;
    });
    assert.equal(modelCalls(openaiUp).length + modelCalls(anthropicUp).length, before);
  });

  test('upstream 429 with Retry-After: the gateway waits, retries and succeeds', async () => {
    openaiUp.enqueue({ kind: 'error', status: 429, message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded', retryAfterSeconds: 1 });
    openaiUp.enqueue({ kind: 'reply', text: 'second time lucky' });
    const before = modelCalls(openaiUp).length;
    const started = Date.now();
    const res = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.choices[0]!.message.content, 'second time lucky');
    assert.equal(modelCalls(openaiUp).length, before + 2, 'one 429, then one retry');
    // Retry-After: 1 was honoured (the backoff alone would be well under a second).
    assert.ok(Date.now() - started >= 900, `retried after ${Date.now() - started} ms`);
  });

  test('429 with retries exhausted → openai.RateLimitError carrying retry-after', async () => {
    // openai/gpt-4o-mini gets reliability.max_retries = 2: three 429s in a row exhaust it.
    for (let i = 0; i < 3; i++) openaiUp.enqueue({ kind: 'error', status: 429, message: 'Rate limit reached', type: 'requests', retryAfterSeconds: 1 });
    const before = modelCalls(openaiUp).length;
    await assert.rejects(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${String(err)}`);
      assert.equal(err.status, 429);
      const retryAfter = Number(err.headers?.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `retry-after: ${err.headers?.get('retry-after')}`);
      return true;
    });
    assert.equal(modelCalls(openaiUp).length, before + 3, 'first attempt + max_retries');
  });

  test('429 on an alias without retries → RateLimitError with the upstream\'s Retry-After, one upstream call', async () => {
    openaiUp.enqueue({ kind: 'error', status: 429, message: 'Rate limit reached', type: 'requests', retryAfterSeconds: 7 });
    const before = modelCalls(openaiUp).length;
    await assert.rejects(client.chat.completions.create({ model: 'no-retry', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${String(err)}`);
      assert.equal(err.headers?.get('retry-after'), '7');
      return true;
    });
    assert.equal(modelCalls(openaiUp).length, before + 1);
  });

  test('upstream 503 → openai.InternalServerError with status 503', async () => {
    openaiUp.enqueue({ kind: 'error', status: 503, message: 'The server is overloaded', type: 'server_error' });
    await assert.rejects(client.chat.completions.create({ model: 'no-retry', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.InternalServerError, `got ${String(err)}`);
      assert.equal(err.status, 503);
      return true;
    });
  });

  describe('OpenAI client, Anthropic backend (anthropic/claude-sonnet-4-5)', () => {
    test('plain: the system message becomes Anthropic\'s system field; text, usage and provider come back', async () => {
      anthropicUp.enqueue({ kind: 'reply', text: 'Bonjour depuis Claude.', usage: { inputTokens: 40, outputTokens: 7 } });
      const { data, response } = await client.chat.completions
        .create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'Hello' }], max_tokens: 100 })
        .withResponse();
      assert.equal(data.choices[0]!.message.content, 'Bonjour depuis Claude.');
      assert.equal(data.choices[0]!.finish_reason, 'stop');
      assert.equal(data.usage?.prompt_tokens, 40);
      assert.equal(data.usage?.completion_tokens, 7);
      assertConduitHeaders(response.headers, 'anthropic');
      const expected = computeCost({ ...emptyUsage(), inputTokens: 40, outputTokens: 7 }, DEFAULT_PRICES['claude-sonnet-4-5']!);
      assert.ok(Math.abs(Number(response.headers.get('x-conduit-cost-usd')) - expected) < 1e-12);

      const sent = lastModelCall(anthropicUp);
      const body = bodyOf(sent);
      assert.equal(sent.path, '/v1/messages');
      assert.equal(body.model, 'claude-sonnet-4-5');
      assert.equal(body.max_tokens, 100);
      assert.equal(sent.headers['x-api-key'], 'sk-ant-upstream');
      const system = typeof body.system === 'string' ? body.system : JSON.stringify(body.system);
      assert.match(system, /Answer in French\./);
      assert.deepEqual(
        (body.messages as { role: string }[]).map((m) => m.role),
        ['user'],
      );
    });

    test('streamed: Anthropic events become OpenAI chunks with the same text and a usage chunk', async () => {
      const chunks = ['Claude ', 'streams ', 'through ', 'an OpenAI ', 'client.'];
      anthropicUp.enqueue({ kind: 'reply', chunks, usage: { inputTokens: 12, outputTokens: 5 } });
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'go' }], max_tokens: 50, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      assertConduitHeaders(response.headers, 'anthropic');
      const received: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) received.push(chunk);
      assert.equal(received.map((c) => c.choices[0]?.delta.content ?? '').join(''), chunks.join(''));
      assert.equal(received.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'stop');
      assert.equal(received.at(-1)!.usage?.completion_tokens, 5);
      assert.equal(received.at(-1)!.usage?.prompt_tokens, 12);
      assert.equal(bodyOf(lastModelCall(anthropicUp)).stream, true);
    });

    test('tool calls, plain and streamed: tool_use blocks become OpenAI tool calls with intact JSON', async () => {
      anthropicUp.enqueue({ kind: 'reply', text: 'Checking.', toolCalls: [weatherCall, timeCall] });
      const res = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'weather and time' }], tools, max_tokens: 100 });
      assert.equal(res.choices[0]!.finish_reason, 'tool_calls');
      const calls = (res.choices[0]!.message.tool_calls ?? []).map((c) => (c.type === 'function' ? { id: c.id, name: c.function.name, arguments: c.function.arguments } : undefined));
      assert.equal(calls.length, 2);
      assert.deepEqual(
        calls.map((c) => ({ ...c, arguments: JSON.parse(c!.arguments) as unknown })),
        [weatherCall, timeCall].map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown })),
      );
      const sentTools = bodyOf(lastModelCall(anthropicUp)).tools as { name: string; input_schema: unknown }[];
      assert.deepEqual(
        sentTools.map((t) => t.name),
        ['get_weather', 'get_time'],
      );
      assert.deepEqual(sentTools[0]!.input_schema, tools[0]!.type === 'function' ? tools[0]!.function.parameters : undefined);

      anthropicUp.enqueue({ kind: 'reply', toolCalls: [weatherCall, timeCall] });
      const stream = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'again' }], tools, max_tokens: 100, stream: true });
      const received: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) received.push(chunk);
      const assembled = assembleToolCalls(received);
      assert.deepEqual(
        assembled.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown })),
        [weatherCall, timeCall].map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown })),
      );
      assert.equal(received.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason, 'tool_calls');

      // The round trip: the assistant's tool calls and the tool results go back as tool_use / tool_result.
      anthropicUp.enqueue({ kind: 'reply', text: 'It is 18°C in Paris.' });
      const answer = await client.chat.completions.create({
        model: 'anthropic/claude-sonnet-4-5',
        max_tokens: 100,
        tools,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: weatherCall.id, type: 'function', function: { name: weatherCall.name, arguments: weatherCall.arguments } }] },
          { role: 'tool', tool_call_id: weatherCall.id, content: '{"temp":18}' },
        ],
      });
      assert.equal(answer.choices[0]!.message.content, 'It is 18°C in Paris.');
      const messages = bodyOf(lastModelCall(anthropicUp)).messages as { role: string; content: { type: string; id?: string; tool_use_id?: string }[] }[];
      assert.deepEqual(
        messages.map((m) => m.role),
        ['user', 'assistant', 'user'],
      );
      assert.ok(messages[1]!.content.some((b) => b.type === 'tool_use' && b.id === weatherCall.id));
      assert.ok(messages[2]!.content.some((b) => b.type === 'tool_result' && b.tool_use_id === weatherCall.id));
    });
  });

  test('GET /metrics counts the requests by provider and the failures by error type', async () => {
    const text = await (await fetch(`${conduit.url}/metrics`)).text();
    assert.ok((metricValue(text, 'llm_requests_total', { provider: 'openai', status: '200' }) ?? 0) >= 8, 'openai 200s');
    assert.ok((metricValue(text, 'llm_requests_total', { provider: 'anthropic', status: '200' }) ?? 0) >= 4, 'anthropic 200s');
    assert.ok((metricValue(text, 'llm_requests_total', { status: '429' }) ?? 0) >= 2, '429s');
    assert.ok((metricValue(text, 'llm_errors_total', { error_type: 'rate_limited' }) ?? 0) >= 2, 'rate_limited errors');
    assert.ok((metricValue(text, 'llm_errors_total', { error_type: 'not_found' }) ?? 0) >= 1, 'not_found errors');
    assert.ok((metricValue(text, 'llm_errors_total', { error_type: 'authentication' }) ?? 0) >= 1, 'authentication errors');
  });
});
