/** Retrieval metrics checked against values worked out by hand. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, ndcgAtK, precisionAtK, rankedDocuments, recallAtK, reciprocalRank } from '../../../src/rag/eval/metrics.js';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('retrieval metrics', () => {
  // Ranking: a b c d e; relevant: b d x (x never retrieved).
  const ranked = ['a', 'b', 'c', 'd', 'e'];
  const relevant = new Set(['b', 'd', 'x']);

  test('recall@k counts relevant documents found among the first k, over all relevant', () => {
    close(recallAtK(ranked, relevant, 1), 0);
    close(recallAtK(ranked, relevant, 2), 1 / 3);
    close(recallAtK(ranked, relevant, 5), 2 / 3);
    close(recallAtK(ranked, relevant, 100), 2 / 3);
    close(recallAtK(ranked, new Set(), 5), 0);
  });

  test('precision@k divides by k even when fewer results came back', () => {
    close(precisionAtK(ranked, relevant, 2), 1 / 2);
    close(precisionAtK(ranked, relevant, 4), 2 / 4);
    close(precisionAtK(['b'], relevant, 5), 1 / 5);
    close(precisionAtK(ranked, relevant, 0), 0);
  });

  test('reciprocal rank is 1/rank of the first relevant result', () => {
    close(reciprocalRank(ranked, relevant), 1 / 2);
    close(reciprocalRank(['d', 'b'], relevant), 1);
    close(reciprocalRank(['a', 'c', 'e'], relevant), 0);
    // Cut at k: the first relevant result at rank 2 does not count within the top 1.
    close(reciprocalRank(ranked, relevant, 1), 0);
  });

  test('nDCG@k: DCG = 1/log2(3) + 1/log2(5); ideal (3 relevant) = 1 + 1/log2(3) + 1/log2(4)', () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const ideal = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    close(ndcgAtK(ranked, relevant, 10), dcg / ideal);
    // Hand value: (0.6309298 + 0.4306766) / 2.1309298 = 0.4981...
    assert.ok(Math.abs(ndcgAtK(ranked, relevant, 10) - 0.49818) < 1e-4);
    // A perfect ranking scores 1; k smaller than the relevant set caps the ideal at k.
    close(ndcgAtK(['b', 'd', 'x'], relevant, 10), 1);
    close(ndcgAtK(['b', 'd'], relevant, 2), 1);
    close(ndcgAtK(['a', 'b'], relevant, 2), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
    close(ndcgAtK(ranked, new Set(), 10), 0);
  });

  test('rankedDocuments collapses chunk hits to documents in first-seen order', () => {
    assert.deepEqual(rankedDocuments(['fs', 'fs', 'path', 'fs', 'os', 'path']), ['fs', 'path', 'os']);
  });

  test('mean of nothing is 0', () => {
    close(mean([]), 0);
    close(mean([1, 0, 0.5]), 0.5);
  });
});
