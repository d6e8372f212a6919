import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isBpeEncodingLoaded } from './bpe-encodings.js';
import { CLAUDE_TOKEN_FACTOR, tokenizerFor } from './tokenizer.js';

describe('tokenizerFor', () => {
  // Runs first in this file's own process: choosing a tokenizer must not parse a BPE table.
  test('choosing a tokenizer loads nothing; the first count does', () => {
    const t = tokenizerFor('openai', 'gpt-4o');
    assert.equal(isBpeEncodingLoaded('o200k_base'), false);
    assert.equal(t.count('hello world'), 2);
    assert.equal(isBpeEncodingLoaded('o200k_base'), true);
  });

  test('maps OpenAI model families to their real encodings', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini-2024-07-18', 'chatgpt-4o-latest', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'o1', 'o3-mini', 'o4-mini', 'openai/gpt-4o', 'ft:gpt-4o-mini-2024-07-18:acme::x1']) {
      const t = tokenizerFor('openai', model);
      assert.equal(t.name, 'o200k_base', model);
      assert.equal(t.exact, true, model);
    }
    for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-4-0613', 'gpt-3.5-turbo', 'text-embedding-3-small', 'text-embedding-ada-002']) {
      const t = tokenizerFor('openai', model);
      assert.equal(t.name, 'cl100k_base', model);
      assert.equal(t.exact, true, model);
    }
  });

  test('exact counts and ids match the published encodings', () => {
    const o200k = tokenizerFor('openai', 'gpt-4o');
    const cl100k = tokenizerFor('openai', 'gpt-4');
    assert.equal(o200k.count('hello world'), 2);
    assert.equal(cl100k.count('hello world'), 2);
    assert.deepEqual(o200k.encode?.('hello world'), [24912, 2375]);
    assert.deepEqual(cl100k.encode?.('hello world'), [15339, 1917]);
    assert.equal(o200k.count(''), 0);
    // The two encodings differ on non-English text: o200k's larger vocabulary needs fewer tokens.
    const hindi = 'नमस्ते दुनिया, आप कैसे हैं?';
    assert.ok(o200k.count(hindi) < cl100k.count(hindi));
  });

  test('special-token spellings in user text are counted as ordinary text, not rejected', () => {
    const t = tokenizerFor('openai', 'gpt-4o');
    assert.equal(t.count('<|endoftext|>'), 7);
    assert.equal(t.encode?.('<|endoftext|>').length, 7);
  });

  test('Claude gets a labelled estimate: cl100k × the documented factor, rounded up', () => {
    const claude = tokenizerFor('anthropic', 'claude-sonnet-4-5');
    const cl100k = tokenizerFor('openai', 'gpt-4');
    assert.equal(claude.exact, false);
    assert.equal(claude.name, 'anthropic-estimate');
    assert.equal(claude.encode, undefined);
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(10);
    assert.equal(claude.count(text), Math.ceil(cl100k.count(text) * CLAUDE_TOKEN_FACTOR));
    assert.equal(claude.count('hello world'), 3); // ceil(2 × 1.2)
    // Claude ids reached through other providers are recognised too.
    assert.equal(tokenizerFor('bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0').name, 'anthropic-estimate');
  });

  test('unknown models get a cl100k estimate, never a claim of exactness', () => {
    for (const [provider, model] of [['ollama', 'llama3.2'], ['openai-compatible', 'mistralai/Mistral-7B-Instruct'], ['llamacpp', 'tiny.gguf'], ['offline', 'offline']] as const) {
      const t = tokenizerFor(provider, model);
      assert.equal(t.exact, false, model);
      assert.equal(t.name, 'cl100k_base-estimate', model);
      assert.equal(t.count('hello world'), 2);
    }
    const futureOpenAi = tokenizerFor('openai', 'gpt-7-turbo');
    assert.equal(futureOpenAi.name, 'o200k_base-estimate');
    assert.equal(futureOpenAi.exact, false);
  });
});
