import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numbersIn, semanticLookupKey } from '../../src/cache/semantic/semantic-scope.js';
import type { ModelRequest } from '../../src/models/language-model.js';

const target = { provider: 'openai', modelId: 'gpt-4o-mini', tenant: 't1' };

function scopeOf(request: ModelRequest, t = target): string {
  const key = semanticLookupKey(request, t);
  assert.ok(key.eligible);
  return key.scope;
}

test('only the wording of the last user message is outside the scope', () => {
  const a = scopeOf({ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'How do I reset my password?' }] });
  const b = scopeOf({ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'How can I reset my password?' }] });
  assert.equal(a, b);
  const key = semanticLookupKey({ messages: [{ role: 'user', content: [{ type: 'text', text: '  Hello there ' }] }] }, target);
  assert.ok(key.eligible && key.prompt === 'Hello there');
});

test('tenant, model, system prompt, tools, parameters and prior turns each change the scope', () => {
  const base: ModelRequest = { messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'q' }] };
  const s = scopeOf(base);
  const others = [
    scopeOf(base, { ...target, tenant: 't2' }),
    scopeOf(base, { ...target, modelId: 'gpt-4o' }),
    scopeOf({ messages: [{ role: 'system', content: 'Be blunt.' }, { role: 'user', content: 'q' }] }),
    scopeOf({ ...base, tools: [{ name: 'search', parameters: {} }] }),
    scopeOf({ ...base, toolChoice: 'none' }),
    scopeOf({ ...base, temperature: 0.7 }),
    scopeOf({ ...base, responseFormat: { type: 'json' } }),
    scopeOf({ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'earlier' }, { role: 'assistant', content: 'reply' }, { role: 'user', content: 'q' }] }),
    scopeOf({ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'different earlier' }, { role: 'assistant', content: 'reply' }, { role: 'user', content: 'q' }] }),
  ];
  assert.equal(new Set([s, ...others]).size, others.length + 1);
  const deep = semanticLookupKey({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] }, target);
  assert.ok(deep.eligible && deep.description.priorTurns === 2);
});

test('requests that do not end with a plain-text user message are not eligible', () => {
  const toolResult = semanticLookupKey(
    {
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'w', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'sunny' },
      ],
    },
    target,
  );
  assert.deepEqual(toolResult, { eligible: false, reason: 'not-last-user-message' });
  assert.deepEqual(semanticLookupKey({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x/y.png' }] }] }, target), { eligible: false, reason: 'non-text-content' });
  assert.deepEqual(semanticLookupKey({ messages: [{ role: 'user', content: '   ' }] }, target), { eligible: false, reason: 'empty-prompt' });
  assert.deepEqual(semanticLookupKey({ messages: [] }, target), { eligible: false, reason: 'not-last-user-message' });
});

test('numbersIn: order-independent multiset of numbers', () => {
  assert.equal(numbersIn('Convert 10 USD to EUR'), '10');
  assert.notEqual(numbersIn('Convert 10 USD to EUR'), numbersIn('Convert 100 USD to EUR'));
  assert.equal(numbersIn('between 3 and 4.5'), numbersIn('between 4.5 and 3'));
  assert.equal(numbersIn('no digits'), '');
});
