import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import type { StreamPart } from '../../language-model.js';
import { ChatStreamAssembler } from './chat-stream.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  usage: null,
  ...extra,
});

function feed(assembler: ChatStreamAssembler, chunks: unknown[]): StreamPart[] {
  return chunks.flatMap((c) => assembler.push(c));
}

describe('ChatStreamAssembler', () => {
  test('start, text deltas, finish with usage from the usage chunk', () => {
    const a = new ChatStreamAssembler('openai', 'gpt-4o');
    const parts = feed(a, [
      chunk({ role: 'assistant', content: '', refusal: null }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
      { id: 'chatcmpl-9', object: 'chat.completion.chunk', model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 1 } } },
    ]);
    assert.deepEqual(parts, [
      { type: 'start', id: 'chatcmpl-9', model: 'gpt-4o-2024-08-06', provider: 'openai' },
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: 'lo' },
    ]);
    assert.equal(a.finished, true);
    assert.equal(a.hasUsage, true);
    assert.deepEqual(a.finish(), {
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 5, outputTokens: 2, cachedInputTokens: 3, cacheWriteTokens: 0, reasoningTokens: 1 },
      toolCalls: [],
    });
  });

  test('interleaved parallel tool calls are assembled by index', () => {
    const a = new ChatStreamAssembler('openai', 'gpt-4o');
    const parts = feed(a, [
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{"b"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }, { index: 1, function: { arguments: ':2}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    assert.deepEqual(
      parts.filter((p) => p.type !== 'start'),
      [
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'g' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{"b"' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: ':2}' },
      ],
    );
    const finish = a.finish();
    assert.equal(finish.finishReason, 'tool_calls');
    assert.deepEqual(finish.toolCalls, [
      { id: 'call_a', name: 'f', arguments: '{"a":1}' },
      { id: 'call_b', name: 'g', arguments: '{"b":2}' },
    ]);
    assert.equal(a.hasUsage, false);
  });

  test('tool-call deltas without index (lenient servers): new id starts a call, no id continues the last', () => {
    const a = new ChatStreamAssembler('ollama', 'llama3.2');
    feed(a, [
      chunk({ tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ id: 'c2', function: { name: 'g', arguments: { y: 2 } } }] }),
      chunk({}, 'stop'),
    ]);
    assert.deepEqual(a.finish().toolCalls, [
      { id: 'c1', name: 'f', arguments: '{"x":1}' },
      { id: 'c2', name: 'g', arguments: '{"y":2}' },
    ]);
    assert.equal(a.finish().finishReason, 'tool_calls', 'tool calls with finish_reason stop report tool_calls');
  });

  test('reasoning_content and reasoning deltas become reasoning-delta', () => {
    const a = new ChatStreamAssembler('vllm', 'm');
    const parts = feed(a, [chunk({ reasoning_content: 'think ' }), chunk({ reasoning: 'more' }), chunk({ content: 'answer' }), chunk({}, 'stop')]);
    assert.deepEqual(
      parts.filter((p) => p.type !== 'start'),
      [
        { type: 'reasoning-delta', delta: 'think ' },
        { type: 'reasoning-delta', delta: 'more' },
        { type: 'text-delta', delta: 'answer' },
      ],
    );
  });

  test('logprobs chunks become logprobs parts', () => {
    const a = new ChatStreamAssembler('openai', 'm');
    const c = chunk({ content: 'Hi' });
    (c.choices[0] as Record<string, unknown>).logprobs = { content: [{ token: 'Hi', logprob: -0.25, top_logprobs: [] }], refusal: null };
    const parts = a.push(c);
    assert.deepEqual(parts.at(-1), { type: 'logprobs', logprobs: [{ token: 'Hi', logprob: -0.25, topLogprobs: [] }] });
  });

  test('refusal deltas are text with finish reason content_filter', () => {
    const a = new ChatStreamAssembler('openai', 'm');
    const parts = feed(a, [chunk({ refusal: "I can't" }), chunk({}, 'stop')]);
    assert.deepEqual(parts.at(-1), { type: 'text-delta', delta: "I can't" });
    assert.equal(a.finish().finishReason, 'content_filter');
  });

  test('choices other than index 0 are ignored', () => {
    const a = new ChatStreamAssembler('openai', 'm');
    const parts = a.push({ choices: [{ index: 1, delta: { content: 'other' }, finish_reason: null }, { index: 0, delta: { content: 'mine' }, finish_reason: null }] });
    assert.deepEqual(parts.filter((p) => p.type === 'text-delta'), [{ type: 'text-delta', delta: 'mine' }]);
  });

  test('an in-band error chunk throws a mapped ConduitError with the message', () => {
    const a = new ChatStreamAssembler('openai', 'gpt-4o');
    a.push(chunk({ content: 'partial' }));
    assert.throws(
      () => a.push({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }),
      (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error' && err.message.includes('The server had an error') && err.upstreamStatus === 200,
    );
  });

  test('without a finish_reason the stream is not finished', () => {
    const a = new ChatStreamAssembler('openai', 'm');
    a.push(chunk({ content: 'x' }));
    assert.equal(a.finished, false);
  });
});
