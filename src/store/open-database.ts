/**
 * Picks the relational adapter: `DATABASE_URL` (PostgreSQL) when set, else embedded PGlite under
 * `.conduit/db`, run on a worker thread so its synchronous WASM work never stalls requests.
 */
import { join } from 'node:path';
import type { SqlDatabase } from './sql.js';
import { openPGliteWorkerDatabase } from './embedded/pglite-worker-database.js';
import { openPgDatabase } from './postgres/pg-database.js';

export interface OpenDatabaseOptions {
  /** A `postgres://` URL; when absent the embedded database is used. */
  url?: string;
  /** Directory for embedded state (default `.conduit`). */
  stateDir?: string;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<SqlDatabase> {
  if (options.url) return openPgDatabase({ connectionString: options.url });
  return openPGliteWorkerDatabase({ dataDir: join(options.stateDir ?? '.conduit', 'db') });
}
