/**
 * The exact-cache key is written straight from the request (exactCacheKeyText); it must stay byte
 * for byte the canonical JSON of the normalised request that earlier versions hashed, or every
 * stored entry (Redis, SQL) would silently stop matching after an upgrade.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { exactCacheKey, exactCacheKeyText, normaliseRequest, type CacheKeyTarget } from './request-key.js';
import type { ModelRequest } from '../models/language-model.js';

/** The key text as it was built before: a normalised copy through the generic canonical writer. */
function referenceText(request: ModelRequest, target: CacheKeyTarget): string {
  return canonicalJson({ v: 1, provider: target.provider, model: target.modelId, scope: target.scope, request: normaliseRequest(request) });
}

const target: CacheKeyTarget = { provider: 'openai', modelId: 'gpt-4o-mini', scope: 'key:abc' };

const requests: ModelRequest[] = [
  { messages: [] },
  {
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Say hello in five words.' },
    ],
    maxTokens: 32,
    temperature: 0,
    seed: 1000000123,
  },
  {
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be ' }, { type: 'text', text: 'brief "please"', cacheControl: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', url: 'https://example.com/a.png', detail: 'low', cacheControl: { type: 'ephemeral' } }], name: 'bob' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }] },
      { role: 'tool', toolCallId: 'call_1', content: 'result\u2028\n', isError: true },
      { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: 'ok' }], isError: false },
      { role: 'assistant', content: [], toolCalls: [], reasoning: 'hidden' },
      { role: 'user', content: [] },
    ],
    tools: [
      { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, strict: true, cacheControl: { type: 'ephemeral' } },
      { parameters: { 10: 'ten', 2: 'two', b: 1, a: 2 }, name: 'indexed' },
    ],
    toolChoice: { type: 'tool', name: 'lookup' },
    parallelToolCalls: false,
    responseFormat: { type: 'text' },
    topP: 0.9,
    stop: ['STOP', 'END', 'STOP'],
    presencePenalty: -0,
    frequencyPenalty: 1e-7,
    logprobs: true,
    topLogprobs: 3,
    user: 'end-user-42',
    reasoningEffort: 'high',
    providerOptions: { openai: { store: false, metadata: { b: 2, a: 1 }, nothing: undefined, big: 1e21, nan: Number.NaN } },
  },
  { messages: [{ role: 'user', content: 'x' }], tools: [], stop: [], temperature: undefined, seed: undefined },
];

test('exactCacheKeyText: the same bytes as the canonical JSON of the normalised request', () => {
  for (const request of requests) {
    assert.equal(exactCacheKeyText(request, target), referenceText(request, target));
    assert.equal(exactCacheKey(request, target), createHash('sha256').update(referenceText(request, target)).digest('hex'));
  }
});

test('exactCacheKeyText: members the type does not know, and odd member names, take the generic form', () => {
  const odd = { messages: [{ role: 'user', content: 'hi' }], 'we"ird': [1, undefined, () => 1], fn: () => 1, 7: 'seven', zeta: null } as unknown as ModelRequest;
  assert.equal(exactCacheKeyText(odd, target), referenceText(odd, target));
  const unknownRole = { messages: [{ role: 'narrator', content: 'hi' }] } as unknown as ModelRequest;
  assert.equal(exactCacheKeyText(unknownRole, target), referenceText(unknownRole, target));
  const inherited = Object.assign(Object.create({ temperature: 2 }) as object, { messages: [] }) as ModelRequest;
  assert.equal(exactCacheKeyText(inherited, target), referenceText(inherited, target));
  // Different scopes, providers and models never share a key.
  const base = requests[1]!;
  const keys = new Set([target, { ...target, scope: '' }, { ...target, provider: 'azure' }, { ...target, modelId: 'gpt-4o' }].map((t) => exactCacheKey(base, t)));
  assert.equal(keys.size, 4);
});
