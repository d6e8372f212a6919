/**
 * Redis store for several gateway replicas: `SET key value PX ttl`, so Redis itself expires
 * entries (and its own maxmemory policy bounds memory). Every key carries a prefix, so `clear()`
 * and `stats()` touch only the cache's keys even on a shared Redis.
 */
import type { Redis } from 'ioredis';
import { assertValidTtl, type CacheStore, type CacheStoreStats } from '../cache-store.js';

export interface RedisCacheStoreOptions {
  /** Default `conduit:cache:`. */
  prefix?: string;
}

export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisCacheStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'conduit:cache:';
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.redis.get(this.prefix + key);
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    assertValidTtl(ttlMs);
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }

  /** SCANs the prefix: O(keys) on the server, meant for an operator's `conduit cache stats`, not the hot path. */
  async stats(): Promise<CacheStoreStats> {
    let entries = 0;
    for await (const keys of this.scanKeys()) entries += keys.length;
    return { kind: this.kind, entries, bytes: undefined };
  }

  async clear(): Promise<void> {
    for await (const keys of this.scanKeys()) if (keys.length > 0) await this.redis.del(...keys);
  }

  private async *scanKeys(): AsyncGenerator<string[]> {
    let cursor = '0';
    const match = `${escapeGlob(this.prefix)}*`;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      yield keys;
    } while (cursor !== '0');
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
