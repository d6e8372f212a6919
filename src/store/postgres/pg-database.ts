/** Server adapter of the relational port: a `pg` connection pool. */
import pg from 'pg';
import type { SqlDatabase, SqlExecutor, SqlResult } from '../sql.js';

export interface PgDatabaseOptions {
  connectionString: string;
  /** Pool size; a gateway replica rarely needs more than a handful of connections. */
  max?: number;
  /** Fail fast when the server is down, so /ready reports it instead of hanging. */
  connectionTimeoutMillis?: number;
}

export async function openPgDatabase(options: PgDatabaseOptions): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new PgDatabase(pool);
  await db.ping();
  return db;
}

class PgDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const res = await this.pool.query(sql, params as unknown[]);
    return { rows: res.rows as Row[], rowCount: res.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn({
        async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
          const res = await client.query(sql, params as unknown[]);
          return { rows: res.rows as Row[], rowCount: res.rowCount ?? 0 };
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
