/**
 * In-process cache of key lookups for the authenticate hot path. A hit costs one HMAC and no
 * database round trip. Entries live `ttlMs`; that TTL is how long another replica may keep
 * accepting a key after it was revoked or changed (the replica that made the change updates its
 * own cache at once). Unknown key ids are cached too ("negative" entries), in a separate, smaller
 * map, so a flood of made-up keys costs one query per id per TTL and bounded memory. Both maps
 * evict their oldest entry when full (Map iteration order is insertion order).
 */
import type { StoredKey } from './key-repository.js';

export type CachedLookup = { found: true; stored: StoredKey } | { found: false };

interface Entry {
  lookup: CachedLookup;
  fetchedAt: number;
}

export interface KeyCacheOptions {
  ttlMs: number;
  maxEntries: number;
  maxNegativeEntries: number;
}

export class KeyCache {
  private readonly positive = new Map<string, Entry>();
  private readonly negative = new Map<string, Entry>();

  constructor(private readonly options: KeyCacheOptions) {}

  /** The cached lookup if still fresh at `now`. */
  get(id: string, now: number): CachedLookup | undefined {
    const entry = this.positive.get(id) ?? this.negative.get(id);
    if (entry === undefined) return undefined;
    if (now - entry.fetchedAt >= this.options.ttlMs || now < entry.fetchedAt) {
      this.delete(id);
      return undefined;
    }
    return entry.lookup;
  }

  /**
   * True when the found key's entry is at least half its TTL old: time to re-read it in the
   * background (refresh ahead) while the entry itself keeps serving until the full TTL.
   */
  refreshDue(id: string, now: number): boolean {
    const entry = this.positive.get(id);
    return entry !== undefined && now - entry.fetchedAt >= this.options.ttlMs / 2;
  }

  set(id: string, lookup: CachedLookup, now: number): void {
    if (this.options.ttlMs <= 0) return;
    this.delete(id);
    const map = lookup.found ? this.positive : this.negative;
    const cap = lookup.found ? this.options.maxEntries : this.options.maxNegativeEntries;
    if (map.size >= cap) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
    map.set(id, { lookup, fetchedAt: now });
  }

  delete(id: string): void {
    this.positive.delete(id);
    this.negative.delete(id);
  }

  clear(): void {
    this.positive.clear();
    this.negative.clear();
  }

  get size(): { positive: number; negative: number } {
    return { positive: this.positive.size, negative: this.negative.size };
  }
}
