/**
 * The accounting layer's audit content hash must be the very hash the audit log computes from the
 * content itself, or an auditor re-hashing a stored prompt would no longer match its entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPGliteDatabase } from '../../store/embedded/pglite-database.js';
import { createAuditLog } from '../../audit/index.js';
import type { Message } from '../../core/messages.js';
import { auditContentHash, referenceContentHash } from './audit-content-hash.js';

const chat: Message[] = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: [{ type: 'text', text: 'Say "hi" \u2028 ünïcödé \ud83d\ude00 \ud800' }, { type: 'image', url: 'https://example.com/a.png', detail: 'low' }], name: 'bob' },
  { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"b":1,"a":2}' }] },
  { role: 'tool', toolCallId: 'call_1', content: 'ok', isError: undefined },
];

const plainPrompts: unknown[] = [
  chat,
  [],
  ['first input', 'second input'],
  [{ b: 1, a: [1.5, -0, 1e21, null, undefined, true], nested: { z: undefined, y: 'x', 10: 'ten', 2: 'two' } }],
  'a bare string prompt',
];

test('auditContentHash equals the hash of the JSON round trip through the audit canonical form', () => {
  for (const prompt of plainPrompts) {
    const fast = auditContentHash(prompt, 'Hello from the fake upstream.');
    assert.match(fast ?? '', /^[0-9a-f]{64}$/);
    assert.equal(fast, referenceContentHash(prompt, 'Hello from the fake upstream.'));
  }
  assert.notEqual(auditContentHash(chat, 'a'), auditContentHash(chat, 'b'));
});

test('auditContentHash gives up on anything the JSON round trip would change', () => {
  class Box {
    v = 1;
  }
  for (const prompt of [[new Date(0)], [Number.NaN], [{ f: () => 1 }], [Symbol('s')], [new Box()], [{ toJSON: () => 'x' }], undefined, JSON.parse('{"__proto__":1}') as unknown]) {
    assert.equal(auditContentHash(prompt, 'r'), undefined);
  }
});

test('the audit log stores the same content hash whether it is given the content or the precomputed hash', async () => {
  const db = await openPGliteDatabase();
  try {
    const log = await createAuditLog({ db });
    const fromContent = await log.append({ actor: 'key:a', action: 'model.request', outcome: 'success', content: { prompt: chat, response: 'Hi.' } });
    const precomputed = auditContentHash(chat, 'Hi.');
    assert.ok(precomputed !== undefined);
    const fromHash = await log.append({ actor: 'key:a', action: 'model.request', outcome: 'success', contentHash: precomputed });
    assert.equal(fromHash.contentHash, fromContent.contentHash);
    assert.equal((await log.verify()).ok, true);
  } finally {
    await db.close();
  }
});
