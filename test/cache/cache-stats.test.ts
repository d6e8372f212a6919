import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheStatsCollector, cacheStats, defaultCacheStats, formatCacheStats } from '../../src/cache/cache-stats.js';
import { cacheControlToCallOptions } from '../../src/cache/cache-control.js';
import { emptyUsage } from '../../src/core/usage.js';

test('stats: hit rate over exact lookups, savings in USD and tokens, unknown prices counted apart', () => {
  const c = new CacheStatsCollector();
  c.recordExact('miss');
  c.recordExact('miss');
  c.recordExact('write');
  c.recordHit('exact', { ...emptyUsage(), inputTokens: 100, outputTokens: 20 }, 0.5);
  c.recordSemantic('miss');
  c.recordHit('semantic', { ...emptyUsage(), inputTokens: 10, outputTokens: 5 }, undefined);
  c.recordSemantic('shadow-would-be-hit');
  const s = c.snapshot();
  // 3 exact lookups (2 misses + 1 hit), 2 answers served (1 exact + 1 semantic behind an exact miss).
  assert.equal(s.hitRate, 2 / 3);
  assert.equal(s.savedUsd, 0.5);
  assert.equal(s.hitsWithUnknownCost, 1);
  assert.equal(s.savedInputTokens, 110);
  assert.equal(s.savedOutputTokens, 25);
  assert.equal(s.semantic.shadowWouldBeHits, 1);
  const text = formatCacheStats(s, [{ kind: 'memory', entries: 3, bytes: 2048, evictions: 1 }]);
  assert.match(text, /hit rate\s+66\.7%/);
  assert.match(text, /\$0\.5000 \(\+1 hits of unknown price\), 110 input \+ 25 output tokens/);
  assert.match(text, /shadow\s+1 would-be hits/);
  assert.match(text, /store memory\s+3 entries, 2\.0 KiB, 1 evicted/);
  c.reset();
  assert.equal(c.snapshot().hitRate, 0);
});

test('stats: semantic-only deployments use semantic lookups; the default collector is what cacheStats() reads', () => {
  const c = new CacheStatsCollector();
  c.recordSemantic('miss');
  c.recordHit('semantic', emptyUsage(), 0);
  assert.equal(c.snapshot().hitRate, 0.5);
  const before = cacheStats().exact.misses;
  defaultCacheStats.recordExact('miss');
  assert.equal(cacheStats().exact.misses, before + 1);
});

test('Cache-Control maps to bypass / noStore', () => {
  assert.deepEqual(cacheControlToCallOptions('no-cache'), { bypass: true });
  assert.deepEqual(cacheControlToCallOptions('No-Store, max-age=0'), { noStore: true });
  assert.deepEqual(cacheControlToCallOptions(['no-cache', 'no-store']), { bypass: true, noStore: true });
  assert.deepEqual(cacheControlToCallOptions(undefined), {});
  assert.deepEqual(cacheControlToCallOptions('max-age=60'), {});
});
