/** The official `@anthropic-ai/sdk` client as the caller of the gateway's `/v1/messages` ingress. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { ConduitError } from '../../src/core/errors.js';
import { ScriptedModel } from './scripted-model.js';
import { startGateway } from './harness.js';
import type { Harness } from './harness.js';

describe('gateway with the official Anthropic client', () => {
  let h: Harness;
  let client: Anthropic;
  const model = new ScriptedModel('openai', 'gpt-4o-mini', { kind: 'reply', text: 'Bonjour!' });

  before(async () => {
    h = await startGateway({ 'any-backend': model });
    client = new Anthropic({ apiKey: 'test-key', baseURL: h.url, maxRetries: 0 });
  });
  after(() => h.close());

  test('plain message: system, content blocks, usage split into cache fields', async () => {
    model.setScripts({ kind: 'reply', text: 'Bonjour!', usage: { inputTokens: 100, outputTokens: 7, cachedInputTokens: 60, cacheWriteTokens: 10 } });
    const { data: msg, response } = await client.messages
      .create({
        model: 'any-backend',
        max_tokens: 64,
        system: [{ type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
        temperature: 0.3,
        stop_sequences: ['###'],
        top_k: 5,
      } as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.match(msg.id, /^msg_/);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.deepEqual(msg.content, [{ type: 'text', text: 'Bonjour!' }]);
    assert.equal(msg.usage.input_tokens, 30);
    assert.equal(msg.usage.cache_read_input_tokens, 60);
    assert.equal(msg.usage.cache_creation_input_tokens, 10);
    assert.equal(msg.usage.output_tokens, 7);
    assert.equal(response.headers.get('x-conduit-provider'), 'openai');
    assert.ok(response.headers.get('x-request-id'));
    const req = model.calls.at(-1)!.request;
    assert.deepEqual(req.messages, [
      { role: 'system', content: [{ type: 'text', text: 'Answer in French.', cacheControl: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
    ]);
    assert.equal(req.maxTokens, 64);
    assert.equal(req.temperature, 0.3);
    assert.deepEqual(req.stop, ['###']);
    assert.deepEqual(req.providerOptions, { anthropic: { top_k: 5 } });
  });

  test('streamed message: the SDK assembles the same text', async () => {
    const text = 'Streaming through Conduit works for Claude clients too.';
    model.setScripts({ kind: 'reply', text, usage: { inputTokens: 20, outputTokens: 12 } });
    const stream = client.messages.stream({ model: 'any-backend', max_tokens: 64, messages: [{ role: 'user', content: 'go' }] });
    const seen: string[] = [];
    stream.on('streamEvent', (e) => seen.push(e.type));
    const final = await stream.finalMessage();
    assert.equal(final.content.length, 1);
    assert.equal(final.content[0]!.type === 'text' ? final.content[0]!.text : '', text);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.output_tokens, 12);
    assert.equal(final.usage.input_tokens, 20);
    assert.equal(seen[0], 'message_start');
    assert.ok(seen.includes('content_block_start') && seen.includes('content_block_delta') && seen.includes('content_block_stop'));
    assert.deepEqual(seen.slice(-2), ['message_delta', 'message_stop']);
  });

  test('tool use round trip: tool_use out, tool_result in (not streamed)', async () => {
    model.setScripts({ kind: 'reply', text: 'Let me check.', toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"q":"paris"}' }] });
    const msg = await client.messages.create({
      model: 'any-backend',
      max_tokens: 64,
      tools: [{ name: 'lookup', description: 'search', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'find paris' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'nothing' }, { type: 'text', text: 'try again' }] },
      ],
    });
    assert.equal(msg.stop_reason, 'tool_use');
    assert.deepEqual(msg.content, [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_9', name: 'lookup', input: { q: 'paris' } },
    ]);
    const req = model.calls.at(-1)!.request;
    assert.deepEqual(req.tools, [{ name: 'lookup', description: 'search', parameters: { type: 'object', properties: { q: { type: 'string' } } } }]);
    assert.equal(req.toolChoice, 'required');
    assert.equal(req.parallelToolCalls, false);
    assert.deepEqual(req.messages, [
      { role: 'user', content: 'find paris' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: '{"q":"x"}' }] },
      { role: 'tool', toolCallId: 'toolu_1', content: 'nothing' },
      { role: 'user', content: [{ type: 'text', text: 'try again' }] },
    ]);
  });

  test('tool use, streamed: input_json_delta assembles to the full input for parallel calls', async () => {
    model.setScripts({
      kind: 'reply',
      text: 'Checking both.',
      toolCalls: [
        { id: 'call_a', name: 'lookup', arguments: '{"q":"paris","n":3}' },
        { id: 'call_b', name: 'lookup', arguments: '{"q":"rome"}' },
      ],
      argChunkSize: 3,
    });
    const final = await client.messages
      .stream({ model: 'any-backend', max_tokens: 64, tools: [{ name: 'lookup', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'both' }] })
      .finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual(final.content, [
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_a', name: 'lookup', input: { q: 'paris', n: 3 } },
      { type: 'tool_use', id: 'call_b', name: 'lookup', input: { q: 'rome' } },
    ]);
  });

  test('errors are Anthropic-shaped: unknown model → NotFoundError, bad request → BadRequestError', async () => {
    await assert.rejects(client.messages.create({ model: 'nope', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.NotFoundError);
      assert.deepEqual((err.error as { type: string; error: { type: string } }).type, 'error');
      assert.equal((err.error as { error: { type: string } }).error.type, 'not_found_error');
      return true;
    });
    await assert.rejects(
      client.messages.create({ model: 'any-backend', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
      (err: unknown) => {
        assert.ok(err instanceof Anthropic.BadRequestError);
        assert.equal((err.error as { error: { type: string; message: string } }).error.type, 'invalid_request_error');
        assert.match((err.error as { error: { message: string } }).error.message, /max_tokens/);
        return true;
      },
    );
  });

  test('upstream overload → 503 overloaded_error; failure after content → error event', async () => {
    model.setScripts({ kind: 'error', error: new ConduitError('provider_unavailable', 'all deployments down') });
    await assert.rejects(client.messages.create({ model: 'any-backend', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
      assert.ok(err instanceof Anthropic.APIError);
      assert.equal(err.status, 503);
      assert.equal((err.error as { error: { type: string } }).error.type, 'overloaded_error');
      return true;
    });
    model.setScripts({ kind: 'error', error: new ConduitError('stream_interrupted', 'upstream cut'), afterChunks: 2 });
    const stream = client.messages.stream({ model: 'any-backend', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    await assert.rejects(stream.finalMessage(), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /upstream cut/);
      return true;
    });
  });
});
