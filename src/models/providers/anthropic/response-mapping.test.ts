import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import { fromAnthropicResponse, mapStopReason, mapUsage } from './response-mapping.js';

test('text, tool_use and thinking blocks map to text, toolCalls and reasoning', () => {
  const out = fromAnthropicResponse(
    {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'thinking', thinking: 'Let me think. ', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'Checking ' },
        { type: 'text', text: 'both.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', unit: 'c' } },
        { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 },
    },
    'claude-sonnet-4-5',
  );
  assert.deepEqual(out, {
    id: 'msg_01',
    model: 'claude-sonnet-4-5-20250929',
    text: 'Checking both.',
    reasoning: 'Let me think. ',
    toolCalls: [
      { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
      { id: 'toolu_2', name: 'now', arguments: '{}' },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 115, outputTokens: 20, cachedInputTokens: 100, cacheWriteTokens: 5, reasoningTokens: 0 },
  });
});

test('stop reasons map to finish reasons', () => {
  assert.equal(mapStopReason('end_turn'), 'stop');
  assert.equal(mapStopReason('stop_sequence'), 'stop');
  assert.equal(mapStopReason('max_tokens'), 'length');
  assert.equal(mapStopReason('model_context_window_exceeded'), 'length');
  assert.equal(mapStopReason('tool_use'), 'tool_calls');
  assert.equal(mapStopReason('refusal'), 'content_filter');
  assert.equal(mapStopReason('pause_turn'), 'other');
  assert.equal(mapStopReason(null), 'other');
});

test('usage: input = input + cache read + cache write; null or missing cache fields count as 0', () => {
  assert.deepEqual(mapUsage({ input_tokens: 7, output_tokens: 3, cache_read_input_tokens: null, cache_creation_input_tokens: null }), {
    inputTokens: 7,
    outputTokens: 3,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  });
  assert.equal(mapUsage({ input_tokens: 1, output_tokens: 30, output_tokens_details: { thinking_tokens: 12 } }).reasoningTokens, 12);
  assert.equal(mapUsage({ input_tokens: 1, output_tokens: 30, output_tokens_details: null }).reasoningTokens, 0);
  assert.deepEqual(mapUsage(undefined), { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
});

test('a missing model falls back to the requested id; no thinking means no reasoning', () => {
  const out = fromAnthropicResponse({ content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn' }, 'claude-x');
  assert.equal(out.model, 'claude-x');
  assert.equal(out.reasoning, undefined);
  assert.equal(out.id, undefined);
  assert.equal(out.finishReason, 'stop');
});

test('a body that is not a message is a provider_error', () => {
  for (const body of [null, 'text', { type: 'message' }, { content: 'not-an-array' }]) {
    assert.throws(
      () => fromAnthropicResponse(body, 'claude-x'),
      (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error' && err.provider === 'anthropic',
    );
  }
});
