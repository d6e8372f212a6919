/**
 * In-process LRU store bounded by entry count and by bytes (UTF-16 length × 2 of key + value, close
 * enough to V8's real cost to keep memory predictable). A Map keeps insertion order, so re-inserting
 * on read makes its first key the least recently used: O(1) get, set and eviction.
 */
import { assertValidTtl, systemNow, type CacheStore, type CacheStoreStats, type NowClock } from '../cache-store.js';

export interface MemoryCacheStoreOptions {
  /** Default 10,000 entries. */
  maxEntries?: number;
  /** Default 64 MiB. A single value larger than this is not stored. */
  maxBytes?: number;
  clock?: NowClock;
}

interface Entry {
  value: string;
  expiresAt: number;
  bytes: number;
}

export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly clock: NowClock;
  private bytes = 0;
  private evictions = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.clock = options.clock ?? systemNow;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.remove(key, entry);
      return undefined;
    }
    // Touch: move to the most-recently-used end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    assertValidTtl(ttlMs);
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    const bytes = (key.length + value.length) * 2;
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) this.evictOldest();
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.remove(key, entry);
    return true;
  }

  async stats(): Promise<CacheStoreStats> {
    this.purgeExpired();
    return { kind: this.kind, entries: this.entries.size, bytes: this.bytes, evictions: this.evictions };
  }

  async clear(): Promise<void> {
    this.entries.clear();
    this.bytes = 0;
  }

  private evictOldest(): void {
    const first = this.entries.entries().next();
    if (first.done) return;
    const [key, entry] = first.value;
    this.remove(key, entry);
    this.evictions++;
  }

  private purgeExpired(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key, entry);
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
