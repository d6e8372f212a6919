/** Embedded adapter of the relational port: PGlite (PostgreSQL compiled to WASM) in-process. */
import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import type { SqlDatabase, SqlExecutor, SqlResult } from '../sql.js';

export interface PGliteDatabaseOptions {
  /** A directory for the data files, or undefined / `memory://` for an in-memory database (tests). */
  dataDir?: string;
}

export async function openPGliteDatabase(options: PGliteDatabaseOptions = {}): Promise<SqlDatabase> {
  const dir = options.dataDir;
  if (dir !== undefined && !dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const db = dir === undefined ? new PGlite() : new PGlite(dir);
  await db.waitReady;
  return new PGliteDatabase(db);
}

class PGliteDatabase implements SqlDatabase {
  readonly kind = 'embedded' as const;
  constructor(private readonly db: PGlite) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
    const res = await this.db.query<Row>(sql, params as unknown[]);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<Row>> {
          const res = await tx.query<Row>(sql, params as unknown[]);
          return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
        },
      }),
    );
  }

  async ping(): Promise<void> {
    await this.db.query('select 1');
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
