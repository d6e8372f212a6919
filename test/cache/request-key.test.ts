import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactCacheKey, normaliseRequest } from '../../src/cache/request-key.js';
import { canonicalJson } from '../../src/cache/canonical-json.js';
import type { ModelRequest } from '../../src/models/language-model.js';

const target = { provider: 'openai', modelId: 'gpt-4o-mini', scope: 'tenant-a' };

const base: ModelRequest = {
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hi' },
  ],
  tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }],
  temperature: 0.2,
  maxTokens: 100,
  stop: ['END', 'STOP'],
  providerOptions: { openai: { store: false, metadata: { a: 1, b: 2 } } },
};

test('canonicalJson: key order and undefined members do not matter', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
});

test('same request with different key order, stop order and text-part form → same key', () => {
  const reordered: ModelRequest = {
    providerOptions: { openai: { metadata: { b: 2, a: 1 }, store: false } },
    stop: ['STOP', 'END'],
    maxTokens: 100,
    temperature: 0.2,
    tools: [{ parameters: { required: ['q'], properties: { q: { type: 'string' } }, type: 'object' }, description: 'Look up', name: 'lookup', cacheControl: { type: 'ephemeral' } }],
    messages: [
      { content: [{ type: 'text', text: 'You are ' }, { type: 'text', text: 'terse.', cacheControl: { type: 'ephemeral' } }], role: 'system' },
      { content: 'Hi', role: 'user' },
    ],
    user: 'end-user-42',
    topP: undefined,
  };
  assert.equal(exactCacheKey(reordered, target), exactCacheKey(base, target));
  assert.match(exactCacheKey(base, target), /^[0-9a-f]{64}$/);
});

test('anything that can change the answer changes the key', () => {
  const key = exactCacheKey(base, target);
  const variants: ModelRequest[] = [
    { ...base, temperature: 0.3 },
    { ...base, maxTokens: 101 },
    { ...base, seed: 7 },
    { ...base, topP: 0.9 },
    { ...base, stop: ['END'] },
    { ...base, toolChoice: 'required' },
    { ...base, tools: [] },
    { ...base, responseFormat: { type: 'json' } },
    { ...base, reasoningEffort: 'high' },
    { ...base, providerOptions: { openai: { store: true } } },
    { ...base, messages: [...base.messages, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Hi' }] },
    { ...base, messages: [{ role: 'system', content: 'You are verbose.' }, { role: 'user', content: 'Hi' }] },
    { ...base, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hi', name: 'bob' }] },
  ];
  const keys = new Set(variants.map((v) => exactCacheKey(v, target)));
  assert.equal(keys.size, variants.length);
  assert.ok(!keys.has(key));
  assert.notEqual(exactCacheKey(base, { ...target, scope: 'tenant-b' }), key);
  assert.notEqual(exactCacheKey(base, { ...target, modelId: 'gpt-4o' }), key);
  assert.notEqual(exactCacheKey(base, { ...target, provider: 'azure' }), key);
});

test('normaliseRequest drops `user` and cache markers but keeps images as parts', () => {
  const n = normaliseRequest({
    messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image', url: 'https://x/y.png', cacheControl: { type: 'ephemeral' } }] }],
    user: 'u1',
  });
  assert.equal('user' in n && n.user !== undefined, false);
  assert.deepEqual(n.messages, [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image', url: 'https://x/y.png' }], name: undefined }]);
});
