import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScopedVectorIndex, toUnitVector } from '../../src/cache/semantic/vector-index.js';
import { seededRandom } from '../support/scripted-model.js';

function randomVector(rand: () => number, d: number): number[] {
  return Array.from({ length: d }, () => rand() * 2 - 1);
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

test('search returns the true nearest neighbour (cosine) within the scope, matching a naive scan', () => {
  const rand = seededRandom(7);
  const index = new ScopedVectorIndex<number>();
  const vectors: number[][] = [];
  for (let i = 0; i < 300; i++) {
    const v = randomVector(rand, 37); // odd size exercises the unrolled loop's tail
    vectors.push(v);
    index.add('s', v, i, Number.POSITIVE_INFINITY);
    index.add('other', randomVector(rand, 37), -1, Number.POSITIVE_INFINITY);
  }
  for (let q = 0; q < 20; q++) {
    const query = randomVector(rand, 37);
    let best = -1;
    let bestScore = -Infinity;
    vectors.forEach((v, i) => {
      const c = cosine(v, query);
      if (c > bestScore) {
        bestScore = c;
        best = i;
      }
    });
    const found = index.search('s', query, 0);
    assert.equal(found?.payload, best);
    assert.ok(Math.abs(found!.similarity - bestScore) < 1e-5);
  }
  assert.equal(index.search('missing', randomVector(rand, 37), 0), undefined);
  assert.equal(index.search('s', randomVector(rand, 5), 0), undefined); // wrong dimensions
});

test('expired winners are skipped and removed; deletion keeps the other entries findable', () => {
  const index = new ScopedVectorIndex<string>();
  index.add('s', [1, 0, 0], 'x-old', 100);
  const y = index.add('s', [0, 1, 0], 'y', 1000);
  index.add('s', [0, 0, 1], 'z', 1000);
  assert.equal(index.search('s', [1, 0.1, 0], 50)?.payload, 'x-old');
  const later = index.search('s', [1, 0.1, 0], 200);
  assert.equal(later?.payload, 'y');
  assert.equal(index.size, 2);
  assert.equal(index.delete(y), true);
  assert.equal(index.search('s', [0, 1, 0], 200)?.payload, 'z');
  assert.equal(index.size, 1);
});

test('maxEntries evicts the oldest entry across scopes', () => {
  const index = new ScopedVectorIndex<string>({ maxEntries: 3 });
  index.add('a', [1, 0], 'a1', Infinity);
  index.add('b', [1, 0], 'b1', Infinity);
  index.add('a', [0, 1], 'a2', Infinity);
  index.add('b', [0, 1], 'b2', Infinity);
  assert.equal(index.size, 3);
  assert.equal(index.search('a', [1, 0], 0)?.payload, 'a2'); // a1 evicted; a2 is what is left
  assert.equal(index.search('b', [1, 0], 0)?.payload, 'b1');
  assert.equal(index.sweepExpired(0), 0);
});

test('toUnitVector normalises and leaves a zero vector at zero', () => {
  const u = toUnitVector([3, 4]);
  assert.ok(Math.abs(u[0]! - 0.6) < 1e-6 && Math.abs(u[1]! - 0.8) < 1e-6);
  assert.deepEqual([...toUnitVector([0, 0])], [0, 0]);
});

test('pruned search (with a similarity floor) finds exactly what a naive scan finds, on clustered vectors', () => {
  const rand = seededRandom(11);
  const d = 512;
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / n);
  };
  const common = unit(randomVector(rand, d));
  const centres = Array.from({ length: 5 }, () => unit(randomVector(rand, d)));
  const sample = () => {
    const c = centres[Math.floor(rand() * centres.length)]!;
    const noise = unit(randomVector(rand, d));
    return unit(common.map((x, i) => 0.55 * x + 0.6 * c[i]! + 0.55 * noise[i]!));
  };
  const index = new ScopedVectorIndex<number>();
  const stored: number[][] = [];
  for (let i = 0; i < 500; i++) {
    const v = sample();
    stored.push(v);
    index.add('s', v, i, Infinity);
  }
  for (let q = 0; q < 60; q++) {
    // Half near-duplicates of a stored vector, half fresh samples.
    const base = stored[Math.floor(rand() * stored.length)]!;
    const query = q % 2 === 0 ? unit(base.map((x) => x + 0.15 * (rand() * 2 - 1) / Math.sqrt(d / 3))) : sample();
    const sims = stored.map((v) => cosine(v, query));
    const bestSim = Math.max(...sims);
    for (const floor of [0.5, 0.8, 0.95]) {
      const found = index.search('s', query, 0, floor);
      if (bestSim < floor - 1e-6) assert.equal(found, undefined);
      else if (bestSim >= floor + 1e-6) {
        assert.ok(found, `floor ${floor}, best ${bestSim}`);
        assert.ok(Math.abs(found.similarity - bestSim) < 1e-5);
      }
    }
  }
});

test('maxEntriesPerScope evicts the oldest entry of that scope only', () => {
  const index = new ScopedVectorIndex<string>({ maxEntriesPerScope: 2 });
  index.add('a', [1, 0, 0], 'a1', Infinity);
  index.add('b', [1, 0, 0], 'b1', Infinity);
  index.add('a', [0, 1, 0], 'a2', Infinity);
  index.add('a', [0, 0, 1], 'a3', Infinity);
  assert.equal(index.scopeSize('a'), 2);
  assert.equal(index.search('a', [1, 0, 0], 0, 0.5), undefined); // a1 gone
  assert.equal(index.search('b', [1, 0, 0], 0)?.payload, 'b1');
  assert.equal(index.size, 3);
});
