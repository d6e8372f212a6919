// The request body: identical for every target unless a seed is asked for (conduit-policies gives
// each request its own, so its exact cache misses), and nothing else changes with the seed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_TARGETS, chatRequestBody } from './targets.js';

describe('benchmark request body', () => {
  test('no seed unless asked, and the seed is the only difference', () => {
    const plain = JSON.parse(chatRequestBody('m', false)) as Record<string, unknown>;
    assert.equal('seed' in plain, false);
    const a = JSON.parse(chatRequestBody('m', false, 7)) as Record<string, unknown>;
    const b = JSON.parse(chatRequestBody('m', false, 8)) as Record<string, unknown>;
    assert.equal(a.seed, 7);
    assert.equal(b.seed, 8);
    const { seed: _a, ...restA } = a;
    assert.deepEqual(restA, plain);
  });

  test('conduit-policies is a known target, measured between conduit and portkey', () => {
    assert.deepEqual([...ALL_TARGETS], ['direct', 'bare-proxy', 'conduit', 'conduit-policies', 'conduit-policies-pg', 'portkey']);
  });
});
