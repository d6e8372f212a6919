import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortKeys } from './sort-keys.js';

test('sortKeys orders strings exactly as Array.prototype.sort does, short and long', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
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
