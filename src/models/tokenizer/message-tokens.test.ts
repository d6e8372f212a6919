import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, ToolDefinition } from '../../core/messages.js';
import { bpeEncoding } from './bpe-encodings.js';
import { IMAGE_TOKENS_ESTIMATE, IMAGE_TOKENS_LOW_DETAIL, countMessageTokens } from './message-tokens.js';

/**
 * The openai-cookbook example ("How to count tokens with tiktoken"), whose documented prompt_tokens
 * are 129 for gpt-4/gpt-3.5-turbo-0613 (cl100k) and 124 for gpt-4o/gpt-4o-mini (o200k). The cookbook
 * puts `name` on system messages; Conduit only allows names on user messages, which changes nothing
 * here because `system` and `user` are one token each in both encodings.
 */
const COOKBOOK: Message[] = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'user', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'user', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'user', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'user', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

const noParams = (name: string): ToolDefinition => ({ name, parameters: { type: 'object', properties: {} } });

describe('countMessageTokens', () => {
  test('matches the cookbook reference counts for both encodings', () => {
    assert.equal(countMessageTokens('openai', 'gpt-4-0613', COOKBOOK), 129);
    assert.equal(countMessageTokens('openai', 'gpt-3.5-turbo', COOKBOOK), 129);
    assert.equal(countMessageTokens('openai', 'gpt-4o', COOKBOOK), 124);
    assert.equal(countMessageTokens('openai', 'gpt-4o-mini', COOKBOOK), 124);
  });

  test('equals the chat-format token stream the encoder itself produces', () => {
    // <|im_start|>role<|im_sep|>content<|im_end|> per message, then <|im_start|>assistant<|im_sep|>.
    const o200k = bpeEncoding('o200k_base');
    const messages: Message[] = [
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: 'What is the capital of Australia, and why not Sydney?' },
    ];
    let expected = 0;
    for (const m of messages) expected += 3 + o200k.count(m.role) + o200k.count(typeof m.content === 'string' ? m.content : '');
    expected += 3;
    assert.equal(countMessageTokens('openai', 'gpt-4o', messages), expected);
    assert.equal(expected, 3 + 1 + o200k.count('Answer in French.') + 3 + 1 + o200k.count('What is the capital of Australia, and why not Sydney?') + 3);
  });

  // Reference counts measured against the OpenAI API (hmarr/openai-chat-tokens, reused by gpt-tokenizer's tests).
  test('matches API-measured counts for conversations, tool calls and tool definitions', () => {
    assert.equal(countMessageTokens('openai', 'gpt-4o', [{ role: 'user', content: 'hello' }]), 8);
    assert.equal(countMessageTokens('openai', 'gpt-4o', [{ role: 'user', content: 'hello world' }]), 9);
    assert.equal(
      countMessageTokens('openai', 'gpt-4o', [
        { role: 'system', content: "# Important: you're the best robot" },
        { role: 'user', content: 'hello robot' },
        { role: 'assistant', content: 'hello world' },
      ]),
      26,
    );
    assert.equal(
      countMessageTokens('openai', 'gpt-4o', [
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'do_stuff', arguments: '{"foo": "bar", "baz": 1.5}' }] },
      ]),
      27,
    );
    const hello: Message[] = [{ role: 'user', content: 'hello' }];
    assert.equal(countMessageTokens('openai', 'gpt-4o', hello, [noParams('foo')]), 31);
    assert.equal(countMessageTokens('openai', 'gpt-4o', hello, [{ ...noParams('foo'), description: 'Do a foo' }]), 35);
    assert.equal(
      countMessageTokens('openai', 'gpt-4o', hello, [
        {
          name: 'bing_bong',
          description: 'Do a bing bong',
          parameters: { type: 'object', properties: { foo: { type: 'string' }, bar: { type: 'number', description: 'A number' } } },
        },
      ]),
      52,
    );
    // A system message is joined to the tool namespace: padded with a newline, minus 4 tokens.
    assert.equal(
      countMessageTokens('openai', 'gpt-4o', [{ role: 'system', content: 'Hello' }, { role: 'user', content: 'Hi there' }], [noParams('do_stuff')]),
      36,
    );
    assert.equal(
      countMessageTokens(
        'openai',
        'gpt-4o',
        [{ role: 'system', content: 'Hello:' }, { role: 'system', content: 'Hello' }, { role: 'user', content: 'Hi there' }],
        [noParams('do_stuff'), noParams('do_other_stuff')],
      ),
      51,
    );
    assert.equal(
      countMessageTokens('openai', 'gpt-4o', hello, [
        {
          name: 'get_recipe',
          parameters: {
            type: 'object',
            required: ['ingredients', 'instructions', 'time_to_cook'],
            properties: {
              ingredients: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'unit', 'amount'],
                  properties: {
                    name: { type: 'string' },
                    unit: { enum: ['grams', 'ml', 'cups', 'pieces', 'teaspoons'], type: 'string' },
                    amount: { type: 'number' },
                  },
                },
              },
              instructions: { type: 'array', items: { type: 'string' }, description: 'Steps to prepare the recipe (no numbering)' },
              time_to_cook: { type: 'number', description: 'Total time to prepare the recipe in minutes' },
            },
          },
        },
      ]),
      105,
    );
  });

  test('text parts are joined, images get the documented estimate', () => {
    const text = countMessageTokens('openai', 'gpt-4o', [{ role: 'user', content: 'describe this' }]);
    const withImages = countMessageTokens('openai', 'gpt-4o', [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'describe ' },
          { type: 'image', url: 'https://example.com/a.png', detail: 'low' },
          { type: 'text', text: 'this' },
          { type: 'image', url: 'https://example.com/b.png' },
        ],
      },
    ]);
    assert.equal(withImages - text, IMAGE_TOKENS_LOW_DETAIL + IMAGE_TOKENS_ESTIMATE);
  });

  test('unusual tool schemas are counted without throwing', () => {
    const n = countMessageTokens('openai', 'gpt-4o', [{ role: 'user', content: 'hi' }], [
      { name: 'odd', parameters: { type: 'object', properties: { a: true, b: null, c: { anyOf: [{ type: 'string' }] }, d: { type: 'string', enum: [] } } } },
    ]);
    assert.ok(n > countMessageTokens('openai', 'gpt-4o', [{ role: 'user', content: 'hi' }], [noParams('odd')]));
  });

  test('Claude and unknown models use their estimating tokenizers with the same structure', () => {
    const messages: Message[] = [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog, again and again and again.' }];
    const cl100k = countMessageTokens('openai', 'gpt-4', messages);
    assert.equal(countMessageTokens('ollama', 'llama3.2', messages), cl100k);
    assert.ok(countMessageTokens('anthropic', 'claude-sonnet-4-5', messages) > cl100k);
  });
});
