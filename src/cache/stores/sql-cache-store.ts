/**
 * Persistent cache table through the relational port: embedded PGlite under `.conduit/` (survives
 * restarts, no server) or a shared PostgreSQL. Expiry is a column compared on read; expired rows
 * are swept now and then on write, so the table does not grow without bound and reads stay one
 * indexed lookup.
 */
import { ConduitError } from '../../core/errors.js';
import { runMigrations, type Migration } from '../../store/migrations.js';
import type { SqlDatabase } from '../../store/sql.js';
import { assertValidTtl, systemNow, type CacheStore, type CacheStoreStats, type NowClock } from '../cache-store.js';

export const CACHE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'cache/0001_create_entries',
    sql: `CREATE TABLE IF NOT EXISTS conduit_cache_entries (
      key text PRIMARY KEY,
      value text NOT NULL,
      expires_at bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS conduit_cache_entries_expires_at ON conduit_cache_entries (expires_at)`,
  },
];

export interface SqlCacheStoreOptions {
  clock?: NowClock;
  /** Sweep expired rows once every this many writes. Default 500. */
  sweepEvery?: number;
}

export class SqlCacheStore implements CacheStore {
  readonly kind = 'sql';
  private writesSinceSweep = 0;
  private readonly clock: NowClock;
  private readonly sweepEvery: number;

  private constructor(
    private readonly db: SqlDatabase,
    options: SqlCacheStoreOptions,
  ) {
    this.clock = options.clock ?? systemNow;
    this.sweepEvery = options.sweepEvery ?? 500;
  }

  /** Runs the cache migrations, then returns the store. */
  static async open(db: SqlDatabase, options: SqlCacheStoreOptions = {}): Promise<SqlCacheStore> {
    try {
      await runMigrations(db, CACHE_MIGRATIONS);
    } catch (err) {
      throw new ConduitError('internal', `Could not create the response-cache table: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return new SqlCacheStore(db, options);
  }

  async get(key: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ value: string }>('SELECT value FROM conduit_cache_entries WHERE key = $1 AND expires_at > $2', [key, this.clock.now()]);
    return rows[0]?.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    assertValidTtl(ttlMs);
    const now = this.clock.now();
    await this.db.query(
      `INSERT INTO conduit_cache_entries (key, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [key, value, Math.round(now + ttlMs)],
    );
    if (++this.writesSinceSweep >= this.sweepEvery) {
      this.writesSinceSweep = 0;
      await this.sweepExpired();
    }
  }

  async delete(key: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM conduit_cache_entries WHERE key = $1', [key]);
    return rowCount > 0;
  }

  async stats(): Promise<CacheStoreStats> {
    const { rows } = await this.db.query<{ entries: string | number; bytes: string | number | null }>(
      'SELECT count(*) AS entries, sum(octet_length(key) + octet_length(value)) AS bytes FROM conduit_cache_entries WHERE expires_at > $1',
      [this.clock.now()],
    );
    const row = rows[0];
    return { kind: this.kind, entries: Number(row?.entries ?? 0), bytes: row?.bytes == null ? 0 : Number(row.bytes) };
  }

  async clear(): Promise<void> {
    await this.db.query('DELETE FROM conduit_cache_entries');
  }

  /** Deletes expired rows; returns how many. */
  async sweepExpired(): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM conduit_cache_entries WHERE expires_at <= $1', [this.clock.now()]);
    return rowCount;
  }
}
