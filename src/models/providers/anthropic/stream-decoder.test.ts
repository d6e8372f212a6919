import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import type { StreamPart } from '../../language-model.js';
import { AnthropicStreamDecoder } from './stream-decoder.js';

const ev = (type: string, data: Record<string, unknown> = {}) => ({ event: type, data: JSON.stringify({ type, ...data }) });

function run(events: { event?: string; data: string }[]): { parts: StreamPart[]; decoder: AnthropicStreamDecoder } {
  const decoder = new AnthropicStreamDecoder('claude-sonnet-4-5');
  const parts = events.flatMap((e) => decoder.push(e));
  return { parts, decoder };
}

test('every event type of a full stream: thinking, redacted thinking, text, two tool calls, ping, usage', () => {
  const { parts, decoder } = run([
    ev('message_start', {
      message: {
        id: 'msg_stream_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        usage: { input_tokens: 50, cache_read_input_tokens: 200, cache_creation_input_tokens: 10, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Plan: ' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'call tools.' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } }),
    ev('content_block_stop', { index: 1 }),
    ev('ping'),
    ev('content_block_start', { index: 2, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'Checking' } }),
    ev('content_block_delta', { index: 2, delta: { type: 'text_delta', text: ' now.' } }),
    ev('content_block_stop', { index: 2 }),
    ev('content_block_start', { index: 3, content_block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} } }),
    ev('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '' } }),
    ev('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '{"city": ' } }),
    ev('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
    ev('content_block_stop', { index: 3 }),
    ev('content_block_start', { index: 4, content_block: { type: 'tool_use', id: 'toolu_b', name: 'now', input: {} } }),
    ev('content_block_stop', { index: 4 }),
    ev('some_future_event', { whatever: true }),
    ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 87 } }),
    ev('message_stop'),
  ]);
  assert.deepEqual(parts, [
    { type: 'start', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', id: 'msg_stream_1' },
    { type: 'reasoning-delta', delta: 'Plan: ' },
    { type: 'reasoning-delta', delta: 'call tools.' },
    { type: 'text-delta', delta: 'Checking' },
    { type: 'text-delta', delta: ' now.' },
    { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'get_weather' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city": ' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
    { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'now' },
    {
      type: 'finish',
      finishReason: 'tool_calls',
      usage: { inputTokens: 260, outputTokens: 87, cachedInputTokens: 200, cacheWriteTokens: 10, reasoningTokens: 0 },
      toolCalls: [
        { id: 'toolu_a', name: 'get_weather', arguments: '{"city": "Paris"}' },
        { id: 'toolu_b', name: 'now', arguments: '{}' },
      ],
    },
  ]);
  assert.equal(decoder.finished, true);
});

test('stop reasons and message_delta usage updates reach finish', () => {
  const { parts } = run([
    ev('message_start', { message: { id: 'm', model: 'x', usage: { input_tokens: 5, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: 'Hi' } }),
    ev('message_delta', { delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 16, input_tokens: 6, output_tokens_details: { thinking_tokens: 9 } } }),
    ev('message_stop'),
  ]);
  assert.deepEqual(parts[1], { type: 'text-delta', delta: 'Hi' }, 'text given in content_block_start is not lost');
  const finish = parts.at(-1);
  assert.ok(finish?.type === 'finish');
  assert.equal(finish.finishReason, 'length');
  assert.equal(finish.usage.outputTokens, 16);
  assert.equal(finish.usage.inputTokens, 6, 'a later input_tokens replaces the earlier one');
  assert.equal(finish.usage.reasoningTokens, 9);
});

test('message_stop with no message_delta still finishes (other), and events after it are ignored', () => {
  const decoder = new AnthropicStreamDecoder('m');
  assert.deepEqual(decoder.push(ev('message_start', { message: { id: 'm1' } })), [{ type: 'start', provider: 'anthropic', model: 'm', id: 'm1' }]);
  assert.equal(decoder.finished, false);
  const [finish] = decoder.push(ev('message_stop'));
  assert.ok(finish?.type === 'finish');
  assert.equal(finish.finishReason, 'other');
  assert.deepEqual(decoder.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'late' } })), []);
});

test('an in-band error event throws the mapped ConduitError', () => {
  const decoder = new AnthropicStreamDecoder('m');
  decoder.push(ev('message_start', { message: { id: 'm1' } }));
  assert.throws(
    () => decoder.push(ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })),
    (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable' && err.code === 'overloaded_error' && err.message.includes('Overloaded'),
  );
});

test('malformed event data is a provider_error; the SSE event name is used when data has no type', () => {
  const decoder = new AnthropicStreamDecoder('m');
  assert.throws(() => decoder.push({ event: 'message_start', data: '{"type":"message_st' }), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
  assert.deepEqual(decoder.push({ event: 'message_start', data: '{"message":{"id":"m9"}}' }), [{ type: 'start', provider: 'anthropic', model: 'm', id: 'm9' }]);
});

test('a delta for a block never started is ignored rather than misattributed', () => {
  const { parts } = run([
    ev('message_start', { message: { id: 'm' } }),
    ev('content_block_delta', { index: 5, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } }),
  ]);
  assert.equal(parts.length, 1);
});

test('currentUsage reports what was counted before a stream died', () => {
  const { decoder } = run([ev('message_start', { message: { id: 'm', usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 3 } } })]);
  assert.deepEqual(decoder.currentUsage(), { inputTokens: 15, outputTokens: 1, cachedInputTokens: 3, cacheWriteTokens: 0, reasoningTokens: 0 });
});
