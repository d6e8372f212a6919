import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import type { Message } from '../../../core/messages.js';
import { defaultMaxTokensFor, THINKING_BUDGET_TOKENS, toAnthropicMessages, toAnthropicRequest, toAnthropicTool, toAnthropicToolChoice } from './request-mapping.js';

const ctx = { modelId: 'claude-sonnet-4-5' };

describe('system extraction', () => {
  test('system messages become a top-level string, joined, and leave the turns', () => {
    const { system, messages } = toAnthropicMessages([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: [{ type: 'text', text: 'Answer in ' }, { type: 'text', text: 'French.' }] },
    ]);
    assert.equal(system, 'Be brief.\n\nAnswer in \n\nFrench.');
    assert.deepEqual(messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
  });

  test('a cache_control on a system part turns system into text blocks that keep it', () => {
    const { system } = toAnthropicMessages([
      { role: 'system', content: 'Plain rules.' },
      { role: 'system', content: [{ type: 'text', text: 'Long cached context', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'user', content: 'Q' },
    ]);
    assert.deepEqual(system, [
      { type: 'text', text: 'Plain rules.' },
      { type: 'text', text: 'Long cached context', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ]);
  });

  test('no system message (or only empty ones) means no system field', () => {
    assert.equal(toAnthropicMessages([{ role: 'user', content: 'x' }]).system, undefined);
    const body = toAnthropicRequest({ messages: [{ role: 'system', content: '' }, { role: 'user', content: 'x' }] }, ctx);
    assert.equal('system' in body, false);
  });
});

describe('turn mapping', () => {
  test('consecutive same-role messages are merged into one turn, in order', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: 'one' },
      { role: 'user', content: [{ type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'three' },
      { role: 'assistant', content: 'four' },
      { role: 'user', content: 'five' },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'three' }, { type: 'text', text: 'four' }] },
      { role: 'user', content: [{ type: 'text', text: 'five' }] },
    ]);
  });

  test('images: data URLs become base64 sources, other URLs url sources, cache_control kept', () => {
    const { messages } = toAnthropicMessages([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare', cacheControl: { type: 'ephemeral' } },
          { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
          { type: 'image', url: 'https://example.com/cat.jpg', cacheControl: { type: 'ephemeral' } },
        ],
      },
    ]);
    assert.deepEqual(messages[0]!.content, [
      { type: 'text', text: 'Compare', cache_control: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, cache_control: { type: 'ephemeral' } },
    ]);
  });

  test('a data URL that is not base64 is an invalid request', () => {
    assert.throws(
      () => toAnthropicMessages([{ role: 'user', content: [{ type: 'image', url: 'data:image/svg+xml,<svg/>' }] }]),
      (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && err.param === 'messages[0].content[0]',
    );
  });

  test('assistant tool calls become tool_use blocks with parsed input; empty text is dropped', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_2', name: 'now', arguments: '' },
        ],
      },
    ]);
    assert.deepEqual(messages[1], {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} },
      ],
    });
  });

  test('invalid or non-object tool-call arguments are an invalid request naming the parameter', () => {
    for (const args of ['{"city":', '[1,2]', '42']) {
      assert.throws(
        () => toAnthropicMessages([{ role: 'user', content: 'x' }, { role: 'assistant', content: null, toolCalls: [{ id: 't', name: 'f', arguments: args }] }]),
        (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && err.param === 'messages[1].toolCalls[0].arguments',
        `arguments ${args}`,
      );
    }
  });

  test('tool messages become one user turn of tool_result blocks (is_error kept), merged with a following user message after the results', () => {
    const conversation: Message[] = [
      { role: 'user', content: 'Do two things' },
      {
        role: 'assistant',
        content: 'On it.',
        toolCalls: [
          { id: 'toolu_a', name: 'a', arguments: '{}' },
          { id: 'toolu_b', name: 'b', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_a', content: 'done A' },
      { role: 'tool', toolCallId: 'toolu_b', content: [{ type: 'text', text: 'boom', cacheControl: { type: 'ephemeral' } }], isError: true },
      { role: 'user', content: 'Thanks' },
    ];
    const { messages } = toAnthropicMessages(conversation);
    assert.equal(messages.length, 3);
    assert.deepEqual(messages[1]!.content, [
      { type: 'text', text: 'On it.' },
      { type: 'tool_use', id: 'toolu_a', name: 'a', input: {} },
      { type: 'tool_use', id: 'toolu_b', name: 'b', input: {} },
    ]);
    assert.deepEqual(messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_a', content: 'done A' },
        { type: 'tool_result', tool_use_id: 'toolu_b', content: [{ type: 'text', text: 'boom', cache_control: { type: 'ephemeral' } }], is_error: true },
        { type: 'text', text: 'Thanks' },
      ],
    });
  });

  test('tool_result blocks are moved before other content of the merged user turn', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, toolCalls: [{ id: 't1', name: 'f', arguments: '{}' }] },
      { role: 'user', content: 'by the way' },
      { role: 'tool', toolCallId: 't1', content: 'r' },
    ]);
    assert.deepEqual(
      messages[2]!.content.map((b) => b.type),
      ['tool_result', 'text'],
    );
  });

  test('an assistant message with nothing in it is dropped (and its neighbours merge)', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: null },
      { role: 'user', content: 'b' },
    ]);
    assert.deepEqual(messages, [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }]);
  });
});

describe('tools and tool choice', () => {
  test('tools map to name/description/input_schema/cache_control; a schema without type gets type object', () => {
    assert.deepEqual(
      toAnthropicTool({ name: 'f', description: 'does f', parameters: { type: 'object', properties: { x: { type: 'number' } } }, strict: true, cacheControl: { type: 'ephemeral' } }),
      { name: 'f', description: 'does f', input_schema: { type: 'object', properties: { x: { type: 'number' } } }, cache_control: { type: 'ephemeral' } },
    );
    assert.deepEqual(toAnthropicTool({ name: 'g', parameters: { properties: {} } }), { name: 'g', input_schema: { type: 'object', properties: {} } });
  });

  test('toolChoice maps to auto/any/tool/none; parallelToolCalls false sets disable_parallel_tool_use', () => {
    assert.equal(toAnthropicToolChoice(undefined, undefined), undefined);
    assert.deepEqual(toAnthropicToolChoice('auto', undefined), { type: 'auto' });
    assert.deepEqual(toAnthropicToolChoice('required', undefined), { type: 'any' });
    assert.deepEqual(toAnthropicToolChoice({ type: 'tool', name: 'f' }, undefined), { type: 'tool', name: 'f' });
    assert.deepEqual(toAnthropicToolChoice('none', false), { type: 'none' });
    assert.deepEqual(toAnthropicToolChoice(undefined, false), { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(toAnthropicToolChoice('required', false), { type: 'any', disable_parallel_tool_use: true });
    assert.deepEqual(toAnthropicToolChoice({ type: 'tool', name: 'f' }, true), { type: 'tool', name: 'f' });
  });

  test('without tools, tool_choice is not sent', () => {
    const body = toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], toolChoice: 'required' }, ctx);
    assert.equal('tools' in body, false);
    assert.equal('tool_choice' in body, false);
  });
});

describe('generation parameters', () => {
  test('maps maxTokens, temperature, topP, stop, user and stream; drops what Anthropic lacks', () => {
    const body = toAnthropicRequest(
      {
        messages: [{ role: 'user', content: 'x' }],
        maxTokens: 321,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        user: 'user-42',
        seed: 7,
        presencePenalty: 1,
        frequencyPenalty: 1,
        logprobs: true,
        responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object' } },
      },
      { ...ctx, stream: true },
    );
    assert.deepEqual(body, {
      model: 'claude-sonnet-4-5',
      max_tokens: 321,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      stream: true,
    });
  });

  test('max_tokens defaults per model, and the model option overrides it', () => {
    assert.equal(defaultMaxTokensFor('claude-3-haiku-20240307'), 4096);
    assert.equal(defaultMaxTokensFor('claude-3-opus-latest'), 4096);
    assert.equal(defaultMaxTokensFor('claude-3-5-sonnet-latest'), 8192);
    assert.equal(defaultMaxTokensFor('claude-sonnet-4-5'), 8192);
    assert.equal(toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }] }, { modelId: 'claude-3-haiku-20240307' }).max_tokens, 4096);
    assert.equal(toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }] }, { ...ctx, defaultMaxTokens: 1000 }).max_tokens, 1000);
  });

  test('reasoningEffort sets a thinking budget and keeps max_tokens above it', () => {
    const medium = toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], reasoningEffort: 'medium' }, ctx);
    assert.deepEqual(medium.thinking, { type: 'enabled', budget_tokens: THINKING_BUDGET_TOKENS.medium });
    assert.equal(medium.max_tokens, 8192);
    const high = toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], reasoningEffort: 'high' }, ctx);
    assert.deepEqual(high.thinking, { type: 'enabled', budget_tokens: 16384 });
    assert.equal(high.max_tokens, 16384 + 8192, 'default max_tokens is raised past the budget');
  });

  test('an explicit maxTokens is a cap: the thinking budget shrinks to fit, or the request is refused', () => {
    const body = toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], reasoningEffort: 'high', maxTokens: 5000 }, ctx);
    assert.equal(body.max_tokens, 5000);
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 4999 });
    assert.throws(
      () => toAnthropicRequest({ messages: [{ role: 'user', content: 'x' }], reasoningEffort: 'low', maxTokens: 1000 }, ctx),
      (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && err.param === 'max_tokens',
    );
  });

  test('providerOptions.anthropic passes through and wins over neutral fields; other providers are ignored', () => {
    const body = toAnthropicRequest(
      {
        messages: [{ role: 'user', content: 'x' }],
        reasoningEffort: 'low',
        user: 'neutral-user',
        providerOptions: {
          anthropic: { thinking: { type: 'enabled', budget_tokens: 2000 }, top_k: 40, metadata: { user_id: 'anthropic-user' }, service_tier: 'auto' },
          openai: { logit_bias: { 1: 2 } },
        },
      },
      ctx,
    );
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 2000 });
    assert.equal(body.top_k, 40);
    assert.deepEqual(body.metadata, { user_id: 'anthropic-user' });
    assert.equal(body.service_tier, 'auto');
    assert.equal('logit_bias' in body, false);
  });
});
