/**
 * The adapters every store conformance suite runs against: embedded PGlite (in memory) and the
 * real PostgreSQL at 127.0.0.1:5432/test. Each PostgreSQL database handed out lives in a fresh
 * schema (dropped on dispose), so suites running in parallel never see each other's tables.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { SqlDatabase } from '../../src/store/sql.js';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';
import { openPgDatabase } from '../../src/store/postgres/pg-database.js';

export const TEST_POSTGRES_URL = process.env.CONDUIT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface DatabaseFactory {
  name: 'embedded' | 'postgres';
  /** A fresh, empty database; call the returned dispose when done. */
  open(): Promise<{ db: SqlDatabase; url?: string; dispose(): Promise<void> }>;
}

/** Creates a schema and returns a connection string whose search_path points at it. */
export async function createTestSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `conduit_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export const databaseFactories: DatabaseFactory[] = [
  {
    name: 'embedded',
    async open() {
      const db = await openPGliteDatabase();
      return { db, dispose: () => db.close() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = await createTestSchema();
      const db = await openPgDatabase({ connectionString: schema.url, max: 4 });
      return {
        db,
        url: schema.url,
        async dispose() {
          await db.close();
          await schema.drop();
        },
      };
    },
  },
];
