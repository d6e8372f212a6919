/** The official `openai` npm client (v6) as the caller of a running gateway. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ConduitError } from '../../src/core/errors.js';
import { ScriptedEmbeddingModel, ScriptedModel } from './scripted-model.js';
import { startGateway } from './harness.js';
import type { Harness } from './harness.js';

const weatherCall = { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' };
const timeCall = { id: 'call_t2', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' };

function assertConduitHeaders(h: Headers, provider: string): void {
  assert.match(h.get('x-request-id') ?? '', /^[A-Za-z0-9._:/+=@-]+$/);
  assert.equal(h.get('x-conduit-provider'), provider);
  const overhead = Number(h.get('x-conduit-overhead-ms'));
  assert.ok(Number.isFinite(overhead) && overhead >= 0 && overhead < 100, `overhead header ${h.get('x-conduit-overhead-ms')}`);
}

describe('gateway with the official openai client', () => {
  let h: Harness;
  let client: OpenAI;
  const chat = new ScriptedModel('scripted', 'scripted-chat-1', { kind: 'reply', text: 'Hello there, world!' });
  const tools = new ScriptedModel('scripted', 'scripted-tools-1', { kind: 'reply', text: '', toolCalls: [weatherCall, timeCall] });
  const failing = new ScriptedModel('scripted', 'scripted-fail', { kind: 'error', error: new ConduitError('provider_unavailable', 'upstream down') });
  const embed = new ScriptedEmbeddingModel('scripted', 'scripted-embed', 8);

  before(async () => {
    h = await startGateway({ 'chat-model': chat, 'tool-model': tools, 'fail-model': failing }, { 'embed-model': embed });
    client = new OpenAI({ apiKey: 'test-key', baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());

  test('plain completion: content, usage, ids and Conduit headers', async () => {
    chat.setScripts({ kind: 'reply', text: 'Hello there, world!', usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 3, reasoningTokens: 1 }, costUsd: 0.00042, provider: 'openai' });
    const { data, response } = await client.chat.completions
      .create({ model: 'chat-model', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], temperature: 0.2, max_tokens: 50, stop: 'END', seed: 7 })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.match(data.id, /^chatcmpl-/);
    assert.equal(data.model, 'scripted-chat-1');
    assert.equal(data.system_fingerprint, null);
    assert.equal(data.choices[0]!.message.content, 'Hello there, world!');
    assert.equal(data.choices[0]!.message.role, 'assistant');
    assert.equal(data.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(data.usage, {
      prompt_tokens: 12,
      completion_tokens: 4,
      total_tokens: 16,
      prompt_tokens_details: { cached_tokens: 3 },
      completion_tokens_details: { reasoning_tokens: 1 },
    });
    assertConduitHeaders(response.headers, 'openai');
    assert.equal(response.headers.get('x-conduit-cost-usd'), '0.00042');
    const req = chat.calls.at(-1)!.request;
    assert.deepEqual(req.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
    assert.equal(req.temperature, 0.2);
    assert.equal(req.maxTokens, 50);
    assert.deepEqual(req.stop, ['END']);
    assert.equal(req.seed, 7);
    assert.equal(chat.calls.at(-1)!.options?.requestId, response.headers.get('x-request-id'));
  });

  test('every standard request field is mapped', async () => {
    chat.setScripts({ kind: 'reply', text: 'ok' });
    await client.chat.completions.create({
      model: 'chat-model',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }], name: 'ann' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'result' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object', properties: {} }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      top_p: 0.9,
      max_completion_tokens: 99,
      stop: ['a', 'b'],
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 2,
      user: 'u-1',
      n: 1,
      reasoning_effort: 'high',
      logit_bias: { '50256': -100 },
    });
    const req = chat.calls.at(-1)!.request;
    assert.deepEqual(req.messages[0], { role: 'system', content: [{ type: 'text', text: 'sys' }] });
    assert.deepEqual(req.messages[1], {
      role: 'user',
      name: 'ann',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image', url: 'data:image/png;base64,AAAA', detail: 'low', mediaType: 'image/png' },
      ],
    });
    assert.deepEqual(req.messages[2], { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] });
    assert.deepEqual(req.messages[3], { role: 'tool', toolCallId: 'c1', content: 'result' });
    assert.deepEqual(req.tools, [{ name: 'f', description: 'does f', parameters: { type: 'object', properties: {} }, strict: true }]);
    assert.deepEqual(req.toolChoice, { type: 'tool', name: 'f' });
    assert.equal(req.parallelToolCalls, false);
    assert.deepEqual(req.responseFormat, { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true });
    assert.equal(req.topP, 0.9);
    assert.equal(req.maxTokens, 99);
    assert.deepEqual(req.stop, ['a', 'b']);
    assert.equal(req.presencePenalty, 0.5);
    assert.equal(req.frequencyPenalty, -0.5);
    assert.equal(req.logprobs, true);
    assert.equal(req.topLogprobs, 2);
    assert.equal(req.user, 'u-1');
    assert.equal(req.reasoningEffort, 'high');
    assert.deepEqual(req.providerOptions, { openai: { logit_bias: { '50256': -100 } } });
  });

  test('streamed completion: assembled text equals, usage chunk, role first', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    chat.setScripts({ kind: 'reply', text, usage: { inputTokens: 9, outputTokens: 11 }, costUsd: 0.001, provider: 'anthropic' });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'chat-model', messages: [{ role: 'user', content: 'fox?' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let assembled = '';
    let sawRole = false;
    let first = true;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    let ext: unknown;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (first) {
        assert.equal(chunk.choices[0]?.delta.role, 'assistant');
        sawRole = true;
        first = false;
      }
      if (chunk.choices.length === 0) {
        usage = chunk.usage;
        ext = (chunk as unknown as { conduit: unknown }).conduit;
      } else {
        assembled += chunk.choices[0]!.delta.content ?? '';
        finish = chunk.choices[0]!.finish_reason ?? finish;
      }
    }
    assert.ok(sawRole);
    assert.equal(assembled, text);
    assert.equal(finish, 'stop');
    assert.equal(usage?.prompt_tokens, 9);
    assert.equal(usage?.completion_tokens, 11);
    assert.deepEqual(ext, { cost_usd: 0.001, provider: 'anthropic' });
    assertConduitHeaders(response.headers, 'anthropic');
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(response.headers.get('trailer'), 'x-conduit-cost-usd');
  });

  test('tool calls, not streamed', async () => {
    const res = await client.chat.completions.create({
      model: 'tool-model',
      messages: [{ role: 'user', content: 'weather and time in Paris' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
      ],
    });
    const msg = res.choices[0]!.message;
    assert.equal(res.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(msg.content, null);
    assert.deepEqual(
      msg.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [])),
      [
        ['call_w1', 'get_weather', weatherCall.arguments],
        ['call_t2', 'get_time', timeCall.arguments],
      ],
    );
  });

  test('tool calls, streamed: the client assembles id, name and arguments from the deltas', async () => {
    const runner = client.chat.completions.stream({
      model: 'tool-model',
      messages: [{ role: 'user', content: 'weather and time in Paris' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
      ],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls ?? [];
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(
      calls.map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [])),
      [
        ['call_w1', 'get_weather', weatherCall.arguments],
        ['call_t2', 'get_time', timeCall.arguments],
      ],
    );
  });

  test('embeddings: float and the client default (base64), single and batch input', async () => {
    const floats = await client.embeddings.create({ model: 'embed-model', input: ['abc', 'hello'], encoding_format: 'float' });
    assert.equal(floats.object, 'list');
    assert.equal(floats.data.length, 2);
    assert.deepEqual(floats.data[0]!.embedding, [3, 0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625]);
    assert.deepEqual(floats.data[1]!.embedding.slice(0, 2), [5, 1]);
    assert.equal(floats.usage.prompt_tokens, 6);
    // The openai client asks for base64 by default and decodes it itself.
    const b64 = await client.embeddings.create({ model: 'embed-model', input: 'hello world' });
    assert.deepEqual(b64.data[0]!.embedding, [11, 0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625]);
    assert.deepEqual(embed.calls.at(-1), ['hello world']);
  });

  test('models list', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id).sort();
    assert.deepEqual(ids, ['chat-model', 'embed-model', 'fail-model', 'tool-model']);
    assert.equal(page.data[0]!.object, 'model');
  });

  test('unknown model → 404 NotFoundError with an OpenAI-shaped body', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.NotFoundError);
        assert.equal(err.status, 404);
        assert.equal(err.code, 'model_not_found');
        assert.match(err.message, /nope/);
        assert.ok(err.headers.get('x-request-id'));
        assert.equal(err.headers.get('x-conduit-provider'), 'none');
        return true;
      },
    );
  });

  test('n > 1 → 400 with a clear message', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'chat-model', messages: [{ role: 'user', content: 'x' }], n: 3 }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.match(err.message, /n = 1/);
      assert.equal(err.param, 'n');
      return true;
    });
  });

  test('upstream unavailable → 503 InternalServerError-class error, provider header from the error', async () => {
    failing.setScripts({ kind: 'error', error: new ConduitError('provider_unavailable', 'upstream down', { provider: 'ollama' }) });
    await assert.rejects(client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 503);
      assert.equal(err.headers?.get('x-conduit-provider'), 'ollama');
      return true;
    });
  });

  test('upstream 429 → RateLimitError with Retry-After', async () => {
    failing.setScripts({ kind: 'error', error: new ConduitError('rate_limited', 'slow down', { retryAfterMs: 7000 }) });
    await assert.rejects(client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.equal(err.headers.get('retry-after'), '7');
      assert.equal(err.code, 'rate_limit_exceeded');
      return true;
    });
  });

  test('upstream timeout → 504', async () => {
    failing.setScripts({ kind: 'error', error: new ConduitError('timeout', 'attempt timed out after 30000 ms') });
    await assert.rejects(client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 504);
      assert.equal(err.code, 'timeout');
      return true;
    });
  });

  test('auth errors pass through as 401/403', async () => {
    failing.setScripts({ kind: 'error', error: new ConduitError('authentication', 'bad upstream key') });
    await assert.rejects(client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
    failing.setScripts({ kind: 'error', error: new ConduitError('permission', 'not allowed') });
    await assert.rejects(client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }] }), OpenAI.PermissionDeniedError);
  });

  test('stream failing before any content returns a proper JSON error with its status', async () => {
    failing.setScripts({ kind: 'error', error: new ConduitError('provider_error', 'bad gateway upstream') });
    await assert.rejects(client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }], stream: true }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 502);
      return true;
    });
  });

  test('stream failing after content: the client sees an error, never a clean end', async () => {
    failing.setScripts({ kind: 'error', error: new ConduitError('stream_interrupted', 'upstream cut the stream'), afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'fail-model', messages: [{ role: 'user', content: 'x' }], stream: true });
    let got = '';
    await assert.rejects(
      (async () => {
        for await (const c of stream) got += c.choices[0]?.delta.content ?? '';
      })(),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.match(String(err.message), /upstream cut the stream/);
        return true;
      },
    );
    assert.equal(got, 'partial ');
  });
});
