import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { AUDIT_HASH_VERSION, computeEntryHash, entryHashInput, NOT_PLAIN, plainRedactedCopy, redactSecrets, type HashedFields } from './entry.js';

function fields(overrides: Partial<HashedFields> = {}): HashedFields {
  return {
    seq: 41,
    id: '0b5e6f43-9d3c-4a43-9b8e-8f1f8c1e2a11',
    ts: '2026-11-25T20:00:00.000Z',
    requestId: 'req-1',
    actor: 'key:abc',
    userRef: null,
    action: 'model.request',
    resource: 'openai/gpt-4o-mini',
    outcome: 'success',
    details: { provider: 'openai', inputTokens: 12, costUsd: null, streamed: false, nested: { b: [1, 'x'], a: true } },
    contentHash: 'a'.repeat(64),
    personalHash: null,
    prevHash: '0'.repeat(64),
    ...overrides,
  };
}

/** The definition the chain was written with: canonicalJson of the record with v. */
function reference(f: HashedFields): string {
  return canonicalJson({
    v: AUDIT_HASH_VERSION,
    seq: f.seq,
    id: f.id,
    ts: f.ts,
    requestId: f.requestId,
    actor: f.actor,
    userRef: f.userRef,
    action: f.action,
    resource: f.resource,
    outcome: f.outcome,
    details: f.details,
    contentHash: f.contentHash,
    personalHash: f.personalHash,
    prevHash: f.prevHash,
  });
}

test('entryHashInput writes exactly the canonical JSON of the hashed record', () => {
  const cases: HashedFields[] = [
    fields(),
    fields({ requestId: null, resource: null, contentHash: null, userRef: 'f'.repeat(64), personalHash: 'e'.repeat(64) }),
    fields({ actor: 'quote " backslash \\ newline \n unicode é \u2028 lone \ud800', details: {} }),
    fields({ details: { z: 1, a: 2, 10: 'ten', 2: 'two', é: 'e-acute', A: 'upper' }, seq: 9_007_199_254_740_991 }),
  ];
  for (const f of cases) {
    assert.equal(entryHashInput(f), reference(f));
    assert.equal(computeEntryHash(f), createHash('sha256').update(reference(f)).digest('hex'));
    assert.equal(computeEntryHash(f, canonicalJson(f.details)), computeEntryHash(f));
  }
});

test('plainRedactedCopy equals the JSON round trip of redactSecrets for plain values', () => {
  const values: unknown[] = [
    {},
    { provider: 'openai', status: 'ok', streamed: false, inputTokens: 3, costUsd: 0.000123, cache: 'hit' },
    { error: { kind: 'rate_limited', code: null }, list: [1, 'two', false, null, { deep: [[]] }] },
    { apiKey: 'sk-secret', nested: { Authorization: 'Bearer x', password: { any: 'thing' } }, tokens: 5 },
    { 3: 'c', 1: 'a', b: 'b' },
  ];
  for (const v of values) {
    const copy = plainRedactedCopy(v);
    assert.notEqual(copy, NOT_PLAIN);
    assert.deepEqual(copy, JSON.parse(JSON.stringify(redactSecrets(v))));
    assert.equal(JSON.stringify(copy), JSON.stringify(JSON.parse(JSON.stringify(redactSecrets(v)))), 'same key order');
  }
  const original = { a: { b: 1 } };
  const copy = plainRedactedCopy(original) as { a: { b: number } };
  copy.a.b = 2;
  assert.equal(original.a.b, 1, 'a copy, not the caller object');
});

test('plainRedactedCopy refuses what a JSON round trip would change', () => {
  const notPlain: unknown[] = [
    { a: undefined },
    { n: -0 },
    { n: Number.NaN },
    { n: Infinity },
    { d: new Date(0) },
    { j: { toJSON: () => 'x' } },
    { m: new Map() },
    { f: () => 1 },
    [1, , 3], // eslint-disable-line no-sparse-arrays
    [undefined],
    { big: 1n },
    JSON.parse('{"__proto__": {"polluted": true}}'),
  ];
  for (const v of notPlain) assert.equal(plainRedactedCopy(v), NOT_PLAIN, JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? 'bigint' : x)));
  let deep: unknown = 'leaf';
  for (let i = 0; i < 40; i++) deep = { d: deep };
  assert.equal(plainRedactedCopy(deep), NOT_PLAIN);
});
