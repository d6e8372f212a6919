import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isReasoningModel, maxTokensField, toChatCompletionsBody } from './chat-request.js';
import type { ModelRequest } from '../../language-model.js';

const settings = { modelId: 'gpt-4o-mini' };

describe('toChatCompletionsBody', () => {
  test('a minimal request sends only model and messages', () => {
    const body = toChatCompletionsBody({ messages: [{ role: 'user', content: 'hi' }] }, settings);
    assert.deepEqual(body, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  });

  test('every message kind maps to its Chat Completions shape', () => {
    const body = toChatCompletionsBody(
      {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'You are ' }, { type: 'text', text: 'terse.', cacheControl: { type: 'ephemeral' } }] },
          {
            role: 'user',
            name: 'ada',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', url: 'https://example.com/cat.png', detail: 'low' },
              { type: 'image', url: 'data:image/png;base64,AAAA', mediaType: 'image/png' },
            ],
          },
          { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"cat"}' }] },
          { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'a cat' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] },
          { role: 'assistant', content: null },
          { role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'call_2', name: 'lookup', arguments: '{}' }], reasoning: 'not sent' },
        ],
      },
      settings,
    );
    assert.deepEqual(body.messages[0], { role: 'system', content: 'You are terse.' });
    assert.deepEqual(body.messages[1], {
      role: 'user',
      name: 'ada',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      ],
    });
    assert.deepEqual(body.messages[2], { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] });
    assert.deepEqual(body.messages[3], { role: 'tool', tool_call_id: 'call_1', content: 'a cat' });
    assert.deepEqual(body.messages[4], { role: 'assistant', content: 'A cat.' });
    assert.deepEqual(body.messages[5], { role: 'assistant', content: '' }, 'a turn with neither text nor calls sends empty text');
    assert.deepEqual(body.messages[6], { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'lookup', arguments: '{}' } }] });
  });

  test('tools, tool choice and parallel_tool_calls', () => {
    const request: ModelRequest = {
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true, cacheControl: { type: 'ephemeral' } },
        { name: 'noop', parameters: { type: 'object' } },
      ],
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: false,
    };
    const body = toChatCompletionsBody(request, settings);
    assert.deepEqual(body.tools, [
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true } },
      { type: 'function', function: { name: 'noop', parameters: { type: 'object' } } },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(body.parallel_tool_calls, false);
    for (const choice of ['auto', 'none', 'required'] as const) {
      assert.equal(toChatCompletionsBody({ ...request, toolChoice: choice }, settings).tool_choice, choice);
    }
  });

  test('parallel_tool_calls is not sent without tools (OpenAI rejects it)', () => {
    const body = toChatCompletionsBody({ messages: [{ role: 'user', content: 'x' }], parallelToolCalls: true, tools: [] }, settings);
    assert.equal('parallel_tool_calls' in body, false);
    assert.equal('tools' in body, false);
  });

  test('response formats', () => {
    const base = { messages: [{ role: 'user' as const, content: 'x' }] };
    assert.deepEqual(toChatCompletionsBody({ ...base, responseFormat: { type: 'text' } }, settings).response_format, { type: 'text' });
    assert.deepEqual(toChatCompletionsBody({ ...base, responseFormat: { type: 'json' } }, settings).response_format, { type: 'json_object' });
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'], additionalProperties: false };
    assert.deepEqual(toChatCompletionsBody({ ...base, responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true, description: 'The answer' } }, settings).response_format, {
      type: 'json_schema',
      json_schema: { name: 'answer', schema, strict: true, description: 'The answer' },
    });
    assert.deepEqual(toChatCompletionsBody({ ...base, responseFormat: { type: 'json_schema', name: 'n', schema } }, settings).response_format, {
      type: 'json_schema',
      json_schema: { name: 'n', schema },
    });
  });

  test('sampling and misc parameters map field by field', () => {
    const body = toChatCompletionsBody(
      {
        messages: [{ role: 'user', content: 'x' }],
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 256,
        stop: ['END', '###'],
        seed: 42,
        presencePenalty: 0.5,
        frequencyPenalty: -0.5,
        logprobs: true,
        topLogprobs: 3,
        user: 'user-123',
        reasoningEffort: 'high',
      },
      settings,
    );
    assert.equal(body.temperature, 0.2);
    assert.equal(body.top_p, 0.9);
    assert.equal(body.max_tokens, 256);
    assert.equal('max_completion_tokens' in body, false);
    assert.deepEqual(body.stop, ['END', '###']);
    assert.equal(body.seed, 42);
    assert.equal(body.presence_penalty, 0.5);
    assert.equal(body.frequency_penalty, -0.5);
    assert.equal(body.logprobs, true);
    assert.equal(body.top_logprobs, 3);
    assert.equal(body.user, 'user-123');
    assert.equal(body.reasoning_effort, 'high');
  });

  test('temperature 0 and an empty stop list', () => {
    const body = toChatCompletionsBody({ messages: [{ role: 'user', content: 'x' }], temperature: 0, stop: [] }, settings);
    assert.equal(body.temperature, 0);
    assert.equal('stop' in body, false);
  });

  test('top_logprobs implies logprobs: true', () => {
    const body = toChatCompletionsBody({ messages: [{ role: 'user', content: 'x' }], topLogprobs: 2 }, settings);
    assert.equal(body.logprobs, true);
    assert.equal(body.top_logprobs, 2);
  });

  test('reasoning models get max_completion_tokens', () => {
    for (const modelId of ['o1', 'o1-mini', 'o3-mini-2025-01-31', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5.1', 'openai/o3']) {
      const body = toChatCompletionsBody({ messages: [{ role: 'user', content: 'x' }], maxTokens: 100 }, { modelId });
      assert.equal(body.max_completion_tokens, 100, modelId);
      assert.equal('max_tokens' in body, false, modelId);
    }
    for (const modelId of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'llama3.2', 'omni-model', 'o-series-custom', 'gpt-50x']) {
      assert.equal(isReasoningModel(modelId), false, modelId);
    }
    assert.equal(maxTokensField({ modelId: 'o3', maxTokensParam: 'max_tokens' }), 'max_tokens', 'an explicit setting wins');
    assert.equal(maxTokensField({ modelId: 'gpt-4o', maxTokensParam: 'max_completion_tokens' }), 'max_completion_tokens');
  });

  test('streaming adds stream and stream_options unless usage is not wanted', () => {
    const request = { messages: [{ role: 'user' as const, content: 'x' }] };
    const body = toChatCompletionsBody(request, settings, { stream: true });
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    const bare = toChatCompletionsBody(request, settings, { stream: true, includeUsage: false });
    assert.equal(bare.stream, true);
    assert.equal('stream_options' in bare, false);
    assert.equal('stream' in toChatCompletionsBody(request, settings), false);
  });

  test('providerOptions for the configured keys are merged last; other providers are ignored', () => {
    const body = toChatCompletionsBody(
      {
        messages: [{ role: 'user', content: 'x' }],
        temperature: 1,
        providerOptions: { openai: { service_tier: 'flex', temperature: 0.3 }, anthropic: { top_k: 5 }, vllm: { top_k: 20 } },
      },
      settings,
    );
    assert.equal(body.service_tier, 'flex');
    assert.equal(body.temperature, 0.3);
    assert.equal('top_k' in body, false);
    const compat = toChatCompletionsBody(
      { messages: [{ role: 'user', content: 'x' }], providerOptions: { 'openai-compatible': { top_k: 1, min_p: 0.1 }, vllm: { top_k: 20 } } },
      { modelId: 'm', providerOptionsKeys: ['openai-compatible', 'vllm'] },
    );
    assert.equal(compat.top_k, 20, 'the named provider wins over the generic key');
    assert.equal(compat.min_p, 0.1);
  });
});
