import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import { mapFinishReason, mapUsage, parseChatCompletion } from './chat-response.js';

const completion = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: 'stop' }],
  usage: {
    prompt_tokens: 100,
    completion_tokens: 30,
    total_tokens: 130,
    prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 12, audio_tokens: 0 },
  },
  ...extra,
});

describe('parseChatCompletion', () => {
  test('text, usage (cached and reasoning), model and id', () => {
    const r = parseChatCompletion(completion({ content: 'Hello' }), 'openai', 'gpt-4o-mini');
    assert.equal(r.text, 'Hello');
    assert.equal(r.finishReason, 'stop');
    assert.deepEqual(r.toolCalls, []);
    assert.deepEqual(r.usage, { inputTokens: 100, outputTokens: 30, cachedInputTokens: 64, cacheWriteTokens: 0, reasoningTokens: 12 });
    assert.equal(r.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(r.provider, 'openai');
    assert.equal(r.id, 'chatcmpl-1');
    assert.equal(r.reasoning, undefined);
    assert.equal(r.logprobs, undefined);
  });

  test('tool calls, including object arguments from lenient servers', () => {
    const body = completion({
      content: null,
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
        { id: 'call_b', type: 'function', function: { name: 'g', arguments: { y: 2 } } },
      ],
    });
    body.choices[0]!.finish_reason = 'tool_calls';
    const r = parseChatCompletion(body, 'openai', 'm');
    assert.equal(r.text, '');
    assert.deepEqual(r.toolCalls, [
      { id: 'call_a', name: 'f', arguments: '{"x":1}' },
      { id: 'call_b', name: 'g', arguments: '{"y":2}' },
    ]);
    assert.equal(r.finishReason, 'tool_calls');
  });

  test('a forced tool call reported with finish_reason stop still reports tool_calls', () => {
    const r = parseChatCompletion(completion({ content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }), 'openai', 'm');
    assert.equal(r.finishReason, 'tool_calls');
  });

  test('a refusal becomes the text with finish reason content_filter', () => {
    const r = parseChatCompletion(completion({ content: null, refusal: "I can't help with that." }), 'openai', 'm');
    assert.equal(r.text, "I can't help with that.");
    assert.equal(r.finishReason, 'content_filter');
  });

  test('reasoning_content and logprobs', () => {
    const body = completion({ content: 'Hi', reasoning_content: 'thinking…' });
    (body.choices[0] as Record<string, unknown>).logprobs = {
      content: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.5 }, { token: 'Hey', logprob: -1.5 }] }],
    };
    const r = parseChatCompletion(body, 'vllm', 'm');
    assert.equal(r.reasoning, 'thinking…');
    assert.deepEqual(r.logprobs, [{ token: 'Hi', logprob: -0.5, topLogprobs: [{ token: 'Hi', logprob: -0.5 }, { token: 'Hey', logprob: -1.5 }] }]);
  });

  test('missing usage gives zeros, missing model falls back to the requested one', () => {
    const body: Record<string, unknown> = completion({ content: 'x' });
    delete body.usage;
    delete body.model;
    const r = parseChatCompletion(body, 'ollama', 'llama3.2');
    assert.deepEqual(r.usage, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    assert.equal(r.model, 'llama3.2');
  });

  test('a 200 body carrying an error throws the mapped error', () => {
    assert.throws(
      () => parseChatCompletion({ error: { message: 'The server is overloaded', type: 'server_error' } }, 'openai', 'm'),
      (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable' && err.message.includes('overloaded'),
    );
  });

  test('bodies that are not chat completions throw provider_error', () => {
    for (const bad of [null, 'text', [], { choices: 'no' }, { choices: [] }, { choices: [{ index: 0 }] }]) {
      assert.throws(() => parseChatCompletion(bad, 'openai', 'm'), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error', JSON.stringify(bad));
    }
  });
});

describe('mapFinishReason / mapUsage', () => {
  test('finish reasons', () => {
    assert.equal(mapFinishReason('stop', false), 'stop');
    assert.equal(mapFinishReason('length', false), 'length');
    assert.equal(mapFinishReason('tool_calls', true), 'tool_calls');
    assert.equal(mapFinishReason('function_call', true), 'tool_calls');
    assert.equal(mapFinishReason('content_filter', false), 'content_filter');
    assert.equal(mapFinishReason(null, false), 'other');
    assert.equal(mapFinishReason('something_new', false), 'other');
    assert.equal(mapFinishReason('stop', false, true), 'content_filter');
  });

  test('usage ignores junk values', () => {
    assert.deepEqual(mapUsage({ prompt_tokens: -1, completion_tokens: 'x', prompt_tokens_details: null }), {
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    assert.equal(mapUsage({ prompt_tokens: 7, completion_tokens: 3 }).outputTokens, 3);
  });
});
