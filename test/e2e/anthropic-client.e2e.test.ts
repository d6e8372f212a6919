/**
 * End to end: the official `@anthropic-ai/sdk` client → `conduit serve`'s `/v1/messages` ingress →
 * the fake Anthropic upstream (`anthropic/claude-…`) and the fake OpenAI upstream (a Claude client
 * using an OpenAI backend), over real HTTP on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startFakeAnthropic } from '../fake-upstream/anthropic-upstream.js';
import type { FakeUpstream } from '../fake-upstream/fake-upstream.js';
import { startConduit, type ConduitProcess } from './support/conduit-process.js';
import { bodyOf, lastModelCall, modelCalls, readAllText, sseEvents } from './support/fakes.js';

const lookupTool: Anthropic.Tool = { name: 'lookup', description: 'Searches the index', input_schema: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' } }, required: ['q'] } };
const callA = { id: 'toolu_a1', name: 'lookup', arguments: '{"q":"paris","n":3}' };
const callB = { id: 'toolu_b2', name: 'lookup', arguments: '{"q":"rome"}' };

/** The stream event types a message stream must emit, in this order, for one text block. */
function assertEventOrder(types: string[]): void {
  const significant = types.filter((t) => t !== 'ping');
  assert.equal(significant[0], 'message_start');
  assert.equal(significant[1], 'content_block_start');
  const lastDelta = significant.lastIndexOf('content_block_delta');
  assert.ok(lastDelta > 1, `deltas in ${significant.join(',')}`);
  assert.ok(significant.slice(2, lastDelta + 1).every((t) => t === 'content_block_delta'), `only deltas between start and stop: ${significant.join(',')}`);
  assert.deepEqual(significant.slice(lastDelta + 1), ['content_block_stop', 'message_delta', 'message_stop']);
}

describe('e2e: anthropic client → conduit serve /v1/messages', () => {
  let openaiUp: FakeOpenAI;
  let anthropicUp: FakeUpstream;
  let conduit: ConduitProcess;
  let client: Anthropic;

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
        'claude-no-retry': { deployments: [{ model: 'anthropic/claude-sonnet-4-5' }], max_retries: 0 },
        'gpt-no-retry': { deployments: [{ model: 'openai/gpt-4o-mini' }], max_retries: 0 },
      },
      reliability: { max_retries: 2, attempt_timeout_ms: 10_000, health_check_interval_ms: 0 },
      logging: { level: 'warn' },
    });
    client = new Anthropic({ apiKey: 'sk-ant-client', baseURL: conduit.url, maxRetries: 0, timeout: 20_000 });
  });

  after(async () => {
    await conduit?.stop();
    await openaiUp?.close();
    await anthropicUp?.close();
  });

  describe('Anthropic backend (anthropic/claude-sonnet-4-5)', () => {
    test('plain message: text, usage, stop reason, headers; the upstream gets system, key and version', async () => {
      anthropicUp.enqueue({ kind: 'reply', text: 'Bonjour, je suis Claude.', usage: { inputTokens: 50, outputTokens: 9, cachedInputTokens: 20 } });
      const { data: msg, response } = await client.messages
        .create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 128, system: 'Answer in French.', messages: [{ role: 'user', content: 'Hello' }] })
        .withResponse();
      assert.equal(msg.type, 'message');
      assert.equal(msg.role, 'assistant');
      assert.deepEqual(msg.content, [{ type: 'text', text: 'Bonjour, je suis Claude.' }]);
      assert.equal(msg.stop_reason, 'end_turn');
      assert.equal(msg.usage.output_tokens, 9);
      assert.equal(msg.usage.cache_read_input_tokens, 20);
      assert.equal(msg.usage.input_tokens, 30);
      assert.equal(response.headers.get('x-conduit-provider'), 'anthropic');
      assert.ok(response.headers.get('x-request-id'));
      assert.ok(Number(response.headers.get('x-conduit-cost-usd')) > 0);

      const sent = lastModelCall(anthropicUp);
      const body = bodyOf(sent);
      assert.equal(body.model, 'claude-sonnet-4-5');
      assert.equal(body.max_tokens, 128);
      assert.match(JSON.stringify(body.system), /Answer in French\./);
      assert.equal(sent.headers['x-api-key'], 'sk-ant-upstream', 'the gateway uses its own key, not the client\'s');
      assert.ok(sent.headers['anthropic-version']);
    });

    test('streamed: every event type arrives, in order, and the SDK assembles the text', async () => {
      const chunks = ['Claude ', 'streams ', 'through ', 'Conduit.'];
      anthropicUp.enqueue({ kind: 'reply', chunks, usage: { inputTokens: 15, outputTokens: 4 } });
      const stream = client.messages.stream({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'go' }] });
      const types: string[] = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      const final = await stream.finalMessage();
      assert.deepEqual(final.content, [{ type: 'text', text: chunks.join('') }]);
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(final.usage.output_tokens, 4);
      assert.equal(final.usage.input_tokens, 15);
      assertEventOrder(types);
      assert.equal(bodyOf(lastModelCall(anthropicUp)).stream, true);
    });

    test('tool use round trip: tool_use out (plain and streamed, parallel), tool_result back in', async () => {
      anthropicUp.enqueue({ kind: 'reply', text: 'Let me look.', toolCalls: [callA] });
      const first = await client.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 64, tools: [lookupTool], messages: [{ role: 'user', content: 'find paris' }] });
      assert.equal(first.stop_reason, 'tool_use');
      assert.deepEqual(first.content, [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: callA.id, name: 'lookup', input: { q: 'paris', n: 3 } },
      ]);
      const sentTools = bodyOf(lastModelCall(anthropicUp)).tools as { name: string; input_schema: unknown }[];
      assert.equal(sentTools[0]!.name, 'lookup');
      assert.deepEqual(sentTools[0]!.input_schema, lookupTool.input_schema);

      anthropicUp.enqueue({ kind: 'reply', toolCalls: [callA, callB] });
      const streamed = await client.messages.stream({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 64, tools: [lookupTool], messages: [{ role: 'user', content: 'both' }] }).finalMessage();
      assert.equal(streamed.stop_reason, 'tool_use');
      assert.deepEqual(
        streamed.content.filter((b) => b.type === 'tool_use'),
        [
          { type: 'tool_use', id: callA.id, name: 'lookup', input: { q: 'paris', n: 3 } },
          { type: 'tool_use', id: callB.id, name: 'lookup', input: { q: 'rome' } },
        ],
      );

      anthropicUp.enqueue({ kind: 'reply', text: 'Paris has 2.1M people.' });
      const answer = await client.messages.create({
        model: 'anthropic/claude-sonnet-4-5',
        max_tokens: 64,
        tools: [lookupTool],
        messages: [
          { role: 'user', content: 'find paris' },
          { role: 'assistant', content: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', id: callA.id, name: 'lookup', input: { q: 'paris', n: 3 } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: callA.id, content: 'population 2.1M' }] },
        ],
      });
      assert.deepEqual(answer.content, [{ type: 'text', text: 'Paris has 2.1M people.' }]);
      // The fake validates tool_use/tool_result pairing like the real API: a bad mapping would have been a 400.
      const messages = bodyOf(lastModelCall(anthropicUp)).messages as { role: string; content: unknown }[];
      assert.deepEqual(
        messages.map((m) => m.role),
        ['user', 'assistant', 'user'],
      );
      assert.match(JSON.stringify(messages[1]!.content), /"type":"tool_use".*"id":"toolu_a1"/);
      assert.match(JSON.stringify(messages[2]!.content), /"type":"tool_result".*"tool_use_id":"toolu_a1"/);
    });

    test('errors: upstream 400 → BadRequestError, upstream 429 → RateLimitError with retry-after', async () => {
      anthropicUp.enqueue({ kind: 'error', status: 400, message: 'messages: roles must alternate', type: 'invalid_request_error' });
      await assert.rejects(client.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof Anthropic.BadRequestError, `got ${String(err)}`);
        assert.equal((err.error as { error: { type: string } }).error.type, 'invalid_request_error');
        assert.match(err.message, /alternate/);
        return true;
      });

      anthropicUp.enqueue({ kind: 'error', status: 429, message: 'Number of requests has exceeded your rate limit', type: 'rate_limit_error', retryAfterSeconds: 9 });
      const before = modelCalls(anthropicUp).length;
      await assert.rejects(client.messages.create({ model: 'claude-no-retry', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof Anthropic.RateLimitError, `got ${String(err)}`);
        assert.equal((err.error as { error: { type: string } }).error.type, 'rate_limit_error');
        assert.equal(err.headers?.get('retry-after'), '9');
        return true;
      });
      assert.equal(modelCalls(anthropicUp).length, before + 1);
    });

    test('a stream cut after content ends with an SSE error event and no message_stop', async () => {
      anthropicUp.enqueue({ kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks: ['one ', 'two ', 'three ', 'four'] } });
      const res = await fetch(`${conduit.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-no-retry', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      assert.equal(res.status, 200);
      const { text } = await readAllText(res);
      const events = sseEvents(text);
      const names = events.map((e) => e.event);
      assert.equal(names[0], 'message_start');
      const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => (JSON.parse(e.data) as { delta: { text?: string } }).delta.text ?? '');
      assert.equal(deltas.join(''), 'one two ');
      assert.equal(names.at(-1), 'error');
      assert.ok(!names.includes('message_stop'), `no message_stop after a cut: ${names.join(',')}`);
      assert.ok(!names.includes('message_delta'));
      const error = JSON.parse(events.at(-1)!.data) as { type: string; error: { type: string; message: string } };
      assert.equal(error.type, 'error');
      assert.ok(error.error.message.length > 0);

      // The SDK raises it instead of returning a truncated message.
      anthropicUp.enqueue({ kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks: ['one ', 'two ', 'three ', 'four'] } });
      const stream = client.messages.stream({ model: 'claude-no-retry', max_tokens: 32, messages: [{ role: 'user', content: 'x' }] });
      await assert.rejects(stream.finalMessage());
    });
  });

  describe('OpenAI backend (a Claude client using openai/gpt-4o-mini)', () => {
    test('plain message: OpenAI\'s reply in Anthropic\'s shape; system becomes a system message upstream', async () => {
      openaiUp.enqueue({ kind: 'reply', text: 'Hi from GPT, dressed as Claude.', usage: { inputTokens: 22, outputTokens: 8 } });
      const { data: msg, response } = await client.messages
        .create({ model: 'openai/gpt-4o-mini', max_tokens: 50, system: 'Be nice.', messages: [{ role: 'user', content: 'Hello' }] })
        .withResponse();
      assert.deepEqual(msg.content, [{ type: 'text', text: 'Hi from GPT, dressed as Claude.' }]);
      assert.equal(msg.stop_reason, 'end_turn');
      assert.equal(msg.usage.input_tokens, 22);
      assert.equal(msg.usage.output_tokens, 8);
      assert.equal(response.headers.get('x-conduit-provider'), 'openai');
      const body = bodyOf(lastModelCall(openaiUp));
      assert.equal(body.model, 'gpt-4o-mini');
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'Be nice.' },
        { role: 'user', content: 'Hello' },
      ]);
    });

    test('streamed: OpenAI chunks become the full Anthropic event sequence', async () => {
      const chunks = ['GPT ', 'speaks ', 'Anthropic ', 'SSE.'];
      openaiUp.enqueue({ kind: 'reply', chunks, usage: { inputTokens: 11, outputTokens: 4 } });
      const stream = client.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'go' }] });
      const types: string[] = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      const final = await stream.finalMessage();
      assert.deepEqual(final.content, [{ type: 'text', text: chunks.join('') }]);
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(final.usage.output_tokens, 4);
      assertEventOrder(types);
    });

    test('tool use round trip: OpenAI tool calls become tool_use blocks; tool_result becomes a tool message', async () => {
      openaiUp.enqueue({ kind: 'reply', toolCalls: [callA, callB] });
      const streamed = await client.messages.stream({ model: 'openai/gpt-4o-mini', max_tokens: 64, tools: [lookupTool], messages: [{ role: 'user', content: 'both' }] }).finalMessage();
      assert.equal(streamed.stop_reason, 'tool_use');
      assert.deepEqual(streamed.content, [
        { type: 'tool_use', id: callA.id, name: 'lookup', input: { q: 'paris', n: 3 } },
        { type: 'tool_use', id: callB.id, name: 'lookup', input: { q: 'rome' } },
      ]);
      const sentTools = bodyOf(lastModelCall(openaiUp)).tools as { type: string; function: { name: string; parameters: unknown } }[];
      assert.equal(sentTools[0]!.function.name, 'lookup');
      assert.deepEqual(sentTools[0]!.function.parameters, lookupTool.input_schema);

      openaiUp.enqueue({ kind: 'reply', toolCalls: [callA] });
      const plain = await client.messages.create({ model: 'openai/gpt-4o-mini', max_tokens: 64, tools: [lookupTool], messages: [{ role: 'user', content: 'one' }] });
      assert.deepEqual(plain.content, [{ type: 'tool_use', id: callA.id, name: 'lookup', input: { q: 'paris', n: 3 } }]);

      openaiUp.enqueue({ kind: 'reply', text: 'Paris it is.' });
      const answer = await client.messages.create({
        model: 'openai/gpt-4o-mini',
        max_tokens: 64,
        tools: [lookupTool],
        messages: [
          { role: 'user', content: 'find paris' },
          { role: 'assistant', content: [{ type: 'tool_use', id: callA.id, name: 'lookup', input: { q: 'paris', n: 3 } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: callA.id, content: 'population 2.1M' }] },
        ],
      });
      assert.deepEqual(answer.content, [{ type: 'text', text: 'Paris it is.' }]);
      const messages = bodyOf(lastModelCall(openaiUp)).messages as { role: string; tool_calls?: { id: string; function: { arguments: string } }[]; tool_call_id?: string; content: unknown }[];
      assert.deepEqual(
        messages.map((m) => m.role),
        ['user', 'assistant', 'tool'],
      );
      assert.equal(messages[1]!.tool_calls?.[0]?.id, callA.id);
      assert.deepEqual(JSON.parse(messages[1]!.tool_calls![0]!.function.arguments), { q: 'paris', n: 3 });
      assert.equal(messages[2]!.tool_call_id, callA.id);
      assert.match(JSON.stringify(messages[2]!.content), /population 2\.1M/);
    });

    test('errors: unknown model → NotFoundError; missing max_tokens → BadRequestError; upstream 503 → 503 overloaded_error', async () => {
      await assert.rejects(client.messages.create({ model: 'no-such-alias', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof Anthropic.NotFoundError, `got ${String(err)}`);
        assert.equal((err.error as { error: { type: string } }).error.type, 'not_found_error');
        return true;
      });
      const before = modelCalls(openaiUp).length;
      await assert.rejects(
        client.messages.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
        (err: unknown) => {
          assert.ok(err instanceof Anthropic.BadRequestError, `got ${String(err)}`);
          assert.match(err.message, /max_tokens/);
          return true;
        },
      );
      assert.equal(modelCalls(openaiUp).length, before, 'an invalid request never reaches the upstream');

      openaiUp.enqueue({ kind: 'error', status: 503, message: 'The server is overloaded', type: 'server_error' });
      await assert.rejects(client.messages.create({ model: 'gpt-no-retry', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof Anthropic.InternalServerError, `got ${String(err)}`);
        assert.equal(err.status, 503);
        assert.equal((err.error as { error: { type: string } }).error.type, 'overloaded_error');
        return true;
      });
    });
  });
});
