import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { normalise, reciprocalRankFusion, weightedScoreFusion, type RankedList } from '../../../src/rag/retrieval/fusion.js';
import type { RetrievedChunk } from '../../../src/rag/types.js';

function hits(via: string, entries: [string, number][]): RetrievedChunk[] {
  return entries.map(([id, score]) => ({ chunk: { id, documentId: id.split('#')[0]!, index: 0, text: id, metadata: {} }, score, via }));
}
const ids = (list: RetrievedChunk[]) => list.map((h) => h.chunk.id);

describe('reciprocalRankFusion', () => {
  test('scores Σ w/(k + rank) with k = 60 and ranks agreement first', () => {
    const lists: RankedList[] = [
      { name: 'keyword', hits: hits('keyword', [['a', 9], ['b', 5], ['c', 1]]) },
      { name: 'vector', hits: hits('vector', [['c', 0.9], ['a', 0.8], ['d', 0.7]]) },
    ];
    const fused = reciprocalRankFusion(lists);
    assert.deepEqual(ids(fused), ['a', 'c', 'b', 'd']);
    assert.ok(Math.abs(fused[0]!.score - (1 / 61 + 1 / 62)) < 1e-12);
    assert.ok(Math.abs(fused[1]!.score - (1 / 63 + 1 / 61)) < 1e-12);
    assert.ok(Math.abs(fused[3]!.score - 1 / 63) < 1e-12);
    assert.equal(fused[0]!.via, 'rrf');
  });

  test('weights scale a list and topK truncates', () => {
    const lists: RankedList[] = [
      { name: 'keyword', hits: hits('keyword', [['a', 9], ['b', 5]]), weight: 1 },
      { name: 'vector', hits: hits('vector', [['b', 0.9], ['a', 0.8]]), weight: 0 },
    ];
    assert.deepEqual(ids(reciprocalRankFusion(lists, { topK: 1 })), ['a']);
  });

  test('rejects a negative weight', () => {
    assert.throws(() => reciprocalRankFusion([{ name: 'x', hits: [], weight: -1 }]), /weight/);
  });
});

describe('weightedScoreFusion', () => {
  // A strong BM25 ranking (k1 clearly first) and a flat, slightly wrong cosine list.
  const keyword = hits('keyword', [['k1', 10], ['k2', 9], ['k3', 2]]);
  const flatVector = hits('vector', [['k2', 0.5], ['k3', 0.49], ['k1', 0.48]]);

  test('min-max normalisation stretches a flat list until it overturns a clear lead', () => {
    const fused = weightedScoreFusion([{ name: 'keyword', hits: keyword }, { name: 'vector', hits: flatVector }], { normalization: 'min-max' });
    assert.equal(fused[0]!.chunk.id, 'k2');
  });

  test('max normalisation keeps the confident ranking: a flat list barely moves anything', () => {
    const fused = weightedScoreFusion([{ name: 'keyword', hits: keyword }, { name: 'vector', hits: flatVector }], { normalization: 'max' });
    assert.deepEqual(ids(fused), ['k1', 'k2', 'k3']);
    assert.ok(Math.abs(fused[0]!.score - (1 + 0.48 / 0.5)) < 1e-9);
  });

  test('a confident second list does reorder a close call', () => {
    const closeKeyword = hits('keyword', [['k1', 10], ['k2', 9.8]]);
    const peakedVector = hits('vector', [['k2', 0.8], ['x', 0.3], ['k1', 0.2]]);
    const fused = weightedScoreFusion([{ name: 'keyword', hits: closeKeyword }, { name: 'vector', hits: peakedVector }]);
    assert.equal(fused[0]!.chunk.id, 'k2');
  });

  test('absent chunks get the list minimum (list-min) or zero', () => {
    const a = hits('keyword', [['p', 4], ['q', 2]]);
    const b = hits('vector', [['r', 1], ['s', 0.5]]);
    const listMin = weightedScoreFusion([{ name: 'a', hits: a }, { name: 'b', hits: b }]);
    // p: 1 + 0.5 (b's min); r: 0.5 (a's min) + 1
    assert.equal(listMin.find((h) => h.chunk.id === 'p')!.score, 1.5);
    assert.equal(listMin.find((h) => h.chunk.id === 'r')!.score, 1.5);
    const zero = weightedScoreFusion([{ name: 'a', hits: a }, { name: 'b', hits: b }], { missing: 'zero' });
    assert.equal(zero.find((h) => h.chunk.id === 'p')!.score, 1);
  });

  test('an exhaustive list (fewer hits than asked) scores absent chunks 0', () => {
    const single = hits('keyword', [['k1', 3]]);
    const vector = hits('vector', [['v', 0.9], ['k1', 0.5]]);
    const fused = weightedScoreFusion([{ name: 'keyword', hits: single, exhaustive: true }, { name: 'vector', hits: vector, weight: 0.5 }]);
    assert.deepEqual(ids(fused), ['k1', 'v']);
    const notExhaustive = weightedScoreFusion([{ name: 'keyword', hits: single }, { name: 'vector', hits: vector, weight: 0.5 }]);
    assert.deepEqual(ids(notExhaustive), ['v', 'k1']);
  });

  test('an empty list does not shift scores', () => {
    const fused = weightedScoreFusion([{ name: 'keyword', hits: [] }, { name: 'vector', hits: flatVector }]);
    assert.deepEqual(ids(fused), ['k2', 'k3', 'k1']);
    assert.equal(fused[0]!.score, 1);
  });

  test('normalise: z-score, min-max, constant lists', () => {
    assert.deepEqual(normalise([3, 1], 'z-score'), [1, -1]);
    assert.deepEqual(normalise([5, 3, 1], 'min-max'), [1, 0.5, 0]);
    assert.deepEqual(normalise([2, 2], 'min-max'), [1, 1]);
    assert.deepEqual(normalise([-1, -3], 'max'), [1, 0]);
  });
});
