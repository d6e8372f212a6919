import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../eval/dataset/seeded-random.js';
import { sortKeys } from './sort-keys.js';

test('sortKeys orders strings exactly as Array.prototype.sort does, short and long', () => {
  const next = seededRandom(7);
  const random = (n: number): number => Math.floor(next() * n);
  const alphabet = ['a', 'B', 'z', '_', '1', '10', 'é', 'É', '\u{1F600}', '\ud800', 'aa', '', 'Z', '-'];
  for (let round = 0; round < 2_000; round++) {
    const length = random(40);
    const keys = Array.from({ length }, () => alphabet[random(alphabet.length)]! + alphabet[random(alphabet.length)]!);
    const expected = [...keys].sort();
    const result = sortKeys(keys);
    assert.equal(result, keys, 'sorted in place');
    assert.deepEqual(result, expected);
  }
});
