import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { medianBy, percentileOfSorted, rotated, summarize } from './stats.js';

describe('latency summaries', () => {
  test('nearest-rank percentiles report observed values', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    assert.equal(percentileOfSorted(sorted, 50), 50);
    assert.equal(percentileOfSorted(sorted, 99), 99);
    assert.equal(percentileOfSorted(sorted, 100), 100);
    assert.equal(percentileOfSorted([7], 99), 7);
    assert.ok(Number.isNaN(percentileOfSorted([], 50)));
  });

  test('summarize sorts its input and computes the mean', () => {
    const s = summarize([5, 1, 3, 2, 4]);
    assert.equal(s.count, 5);
    assert.equal(s.mean, 3);
    assert.equal(s.p50, 3);
    assert.equal(s.max, 5);
    assert.equal(s.p99, 5);
  });

  test('medianBy picks the middle window (the lower middle for an even count)', () => {
    const windows = [{ rps: 300 }, { rps: 100 }, { rps: 200 }];
    assert.equal(medianBy(windows, (w) => w.rps), windows[2]);
    assert.equal(medianBy([{ v: 4 }, { v: 1 }, { v: 3 }, { v: 2 }], (w) => w.v).v, 2);
    assert.throws(() => medianBy([], (w: number) => w));
  });

  test('rotated starts each round with the next target', () => {
    assert.deepEqual(rotated(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(rotated(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
    assert.deepEqual(rotated(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
    assert.deepEqual(rotated([], 2), []);
  });
});
