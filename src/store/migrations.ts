/**
 * Versioned schema migrations, run at start. Each module (audit, ledger, keys…) contributes its
 * own ordered list; ids are global and never reused. An advisory lock makes replicas that start
 * together apply each migration exactly once.
 */
import type { SqlDatabase } from './sql.js';

export interface Migration {
  /** Unique and sortable within its module, e.g. `audit/0001_create_entries`. */
  id: string;
  /** Statements separated by semicolons; no parameters. */
  sql: string;
}

// Arbitrary constant: the key of the PostgreSQL advisory lock that serialises migrations.
const MIGRATION_LOCK_KEY = 7_231_990_417;

/** Applies the migrations not yet recorded, in order. Returns the ids it applied. */
export async function runMigrations(db: SqlDatabase, migrations: readonly Migration[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    ids.add(m.id);
  }
  return db.transaction(async (tx) => {
    // Lock first, then create the bookkeeping table: two replicas racing on CREATE TABLE IF NOT
    // EXISTS can otherwise both try to create it and one fails on the catalog's unique index.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query('CREATE TABLE IF NOT EXISTS conduit_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM conduit_migrations')).rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      // Statements run one by one: the pg extended protocol (used inside transactions with
      // parameters) refuses several statements in one call.
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO conduit_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
    return applied;
  });
}

/** Splits on semicolons outside quotes and dollar-quoted bodies. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote !== null) {
      cur += ch;
      if (quote === "'" && ch === "'") quote = null;
      else if (quote.startsWith('$') && sql.startsWith(quote, i)) {
        cur += sql.slice(i + 1, i + quote.length);
        i += quote.length - 1;
        quote = null;
      }
      continue;
    }
    if (ch === "'") {
      quote = "'";
      cur += ch;
    } else if (ch === '$') {
      const m = /^\$[A-Za-z_]*\$/.exec(sql.slice(i));
      if (m) {
        quote = m[0];
        cur += m[0];
        i += m[0].length - 1;
      } else cur += ch;
    } else if (ch === ';') {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}
