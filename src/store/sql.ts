/**
 * The relational port. Both adapters speak PostgreSQL — embedded PGlite (a file under `.conduit/`,
 * zero set-up) and a real server through `pg` — so every store writes its SQL once and the same
 * conformance suite runs against both.
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted by the statement. */
  rowCount: number;
}

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
}

export interface SqlDatabase extends SqlExecutor {
  /** `embedded` (PGlite) or `postgres` (a server). */
  readonly kind: 'embedded' | 'postgres';
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Cheap liveness probe for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
