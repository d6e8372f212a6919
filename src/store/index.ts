export type { SqlDatabase, SqlExecutor, SqlResult } from './sql.js';
export { runMigrations, splitStatements, type Migration } from './migrations.js';
export { openDatabase, type OpenDatabaseOptions } from './open-database.js';
export { openPGliteDatabase } from './embedded/pglite-database.js';
export { openPGliteWorkerDatabase, PGliteWorkerError } from './embedded/pglite-worker-database.js';
export { openPgDatabase } from './postgres/pg-database.js';
