/**
 * The cache storage port: an expiring string key-value store. Values are the JSON of a
 * CachedResponse; the store neither parses nor inspects them. Three adapters: in-memory LRU
 * (bounded entries and bytes), embedded/PostgreSQL table (SqlDatabase) and Redis (`SET PX`); one
 * conformance suite (test/cache/cache-store-conformance.test.ts) runs against all of them.
 */
import { ConduitError } from '../core/errors.js';

export interface CacheStore {
  /** `memory`, `sql` or `redis`: for stats and logs. */
  readonly kind: string;
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlMs` milliseconds (a positive integer), replacing any previous value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** True when an entry was removed. */
  delete(key: string): Promise<boolean>;
  /** Live entries and their approximate size. */
  stats(): Promise<CacheStoreStats>;
  /** Removes every entry of this store (only this store's prefix/table). */
  clear(): Promise<void>;
}

export interface CacheStoreStats {
  kind: string;
  entries: number;
  /** Approximate bytes of keys + values; undefined when the backend cannot say cheaply. */
  bytes: number | undefined;
  /** Entries dropped to stay within bounds (LRU only). */
  evictions?: number;
}

/** Time for stores that expire entries themselves; injectable for tests. */
export interface NowClock {
  now(): number;
}

export const systemNow: NowClock = { now: () => Date.now() };

export function assertValidTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new ConduitError('invalid_request', `cache ttlMs must be a positive number, got ${ttlMs}`, { param: 'ttlMs' });
}
