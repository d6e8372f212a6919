import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../core/errors.js';
import { cosineSimilarity } from './cosine-similarity.js';

test('cosineSimilarity: identical, opposite, orthogonal, scaled, zero and mismatched vectors', () => {
  assert.equal(cosineSimilarity([1, 2, 3], [1, 2, 3]), 1);
  assert.equal(cosineSimilarity([1, 0], [-1, 0]), -1);
  assert.equal(cosineSimilarity([1, 0], [0, 5]), 0);
  assert.ok(Math.abs(cosineSimilarity([1, 2], [10, 20]) - 1) < 1e-12);
  // (1·2 + 1·0) / (√2 · 2) = 1/√2
  assert.ok(Math.abs(cosineSimilarity([1, 1], [2, 0]) - Math.SQRT1_2) < 1e-12);
  assert.equal(cosineSimilarity([0, 0], [1, 1]), 0);
  assert.throws(() => cosineSimilarity([1, 2], [1, 2, 3]), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
});
