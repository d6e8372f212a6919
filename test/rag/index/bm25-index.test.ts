import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Index } from '../../../src/rag/index/keyword/bm25-index.js';

const all = (): boolean => true;

test('scores follow the BM25 formula (k1 = 1.2, b = 0.75)', () => {
  const index = new Bm25Index();
  index.add(0, 'apple banana');
  index.add(1, 'banana cherry cherry');
  index.add(2, 'date');
  const [hit] = index.search('cherry', 5, all);
  // N = 3, df = 1, idf = ln(1 + 2.5/1.5); tf = 2, |d| = 3, avgdl = 2.
  const idf = Math.log(1 + 2.5 / 1.5);
  const expected = (idf * 2 * 2.2) / (2 + 1.2 * (1 - 0.75 + (0.75 * 3) / 2));
  assert.equal(hit?.slot, 1);
  assert.ok(Math.abs(hit.score - expected) < 1e-9, `${hit.score} vs ${expected}`);
});

test('removal updates document frequency and corpus length at once, and compacts postings', () => {
  const index = new Bm25Index();
  for (let i = 0; i < 10; i++) index.add(i, i === 9 ? 'rare common' : 'common filler');
  const before = index.search('rare', 1, all)[0]!.score;
  for (let i = 0; i < 8; i++) index.remove(i, 'common filler');
  assert.equal(index.size, 2);
  assert.equal(index.search('filler', 10, all).length, 1, 'removed slots never come back');
  const after = index.search('rare', 1, all)[0]!.score;
  assert.ok(after < before, 'a rarer corpus-wide term loses IDF as the corpus shrinks');
  // Re-adding under new slots works after compaction.
  index.add(20, 'filler filler');
  assert.deepEqual(
    index.search('filler', 10, all).map((h) => h.slot),
    [20, 8],
  );
});

test('the accept predicate filters before the top-k cut', () => {
  const index = new Bm25Index();
  for (let i = 0; i < 50; i++) index.add(i, `term ${'pad '.repeat(i)}`);
  const hits = index.search('term', 3, (slot) => slot % 10 === 7);
  assert.deepEqual(
    hits.map((h) => h.slot),
    [7, 17, 27],
  );
});
