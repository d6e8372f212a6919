/**
 * The usage ledger: append-only usage events in the relational store, idempotent by request id
 * (`INSERT … ON CONFLICT (request_id) DO NOTHING`), and the spend reports read from it. It is the
 * source of truth for money: budget counters are rebuilt from it on start or after Redis loses them.
 */
import { toConduitError } from '../core/errors.js';
import { runMigrations } from '../store/migrations.js';
import type { SqlDatabase, SqlExecutor } from '../store/sql.js';
import { LEDGER_MIGRATIONS, LEDGER_TABLE } from './ledger-migrations.js';
import { buildSpendQuery, buildTotalQuery, toTotals } from './spend-query.js';
import type { SpendQuery, SpendRange, SpendRow, SpendTotals, TotalsRow } from './spend-query.js';
import { eventToRow, LEDGER_COLUMNS } from './usage-event.js';
import type { UsageEvent } from './usage-event.js';

export interface UsageLedger {
  /** Appends one event. Resolves true when it was new, false when that requestId was already recorded (a no-op). */
  record(event: UsageEvent): Promise<boolean>;
  /**
   * Appends many events in one transaction (one INSERT per 1,000 rows). Resolves, per input event
   * and in order, whether it was new; a requestId repeated inside the batch is new only the first time.
   */
  recordMany(events: readonly UsageEvent[]): Promise<boolean[]>;
  /** Spend over `[from, to)` grouped by key, user, team, model, provider or UTC day, most expensive first. */
  spend(query: SpendQuery): Promise<SpendRow[]>;
  /** Totals over `[from, to)` with the same filters, ungrouped. */
  total(range: SpendRange): Promise<SpendTotals>;
}

export interface UsageLedgerOptions {
  db: SqlDatabase;
  /** Run the ledger's migrations first (default true). Turn off when the caller runs all migrations itself. */
  migrate?: boolean;
}

// Rows per INSERT: the whole batch travels as one JSON parameter, so this only bounds its size.
const ROWS_PER_STATEMENT = 1000;

/** Column types of the ledger table, in LEDGER_COLUMNS order (the record definition of the JSON rows). */
const COLUMN_TYPES: Readonly<Record<(typeof LEDGER_COLUMNS)[number], string>> = {
  request_id: 'text',
  ts: 'timestamptz',
  key_id: 'text',
  user_id: 'text',
  team: 'text',
  model: 'text',
  provider: 'text',
  served_model: 'text',
  input_tokens: 'bigint',
  output_tokens: 'bigint',
  cached_input_tokens: 'bigint',
  cache_write_tokens: 'bigint',
  reasoning_tokens: 'bigint',
  cost_usd: 'numeric',
  status: 'text',
  streamed: 'boolean',
  latency_ms: 'bigint',
  trace_id: 'text',
  metadata: 'jsonb',
};

/**
 * One statement and one parameter per batch: the rows go as a JSON array of arrays (one native
 * JSON.stringify) and PostgreSQL unpacks them, instead of thousands of bind parameters and a
 * statement text that grows with the batch. The same text for every batch size, on both adapters.
 */
const INSERT_STATEMENT = `INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMNS.join(', ')})
  SELECT ${LEDGER_COLUMNS.map((c, i) => `(r->>${i})::${COLUMN_TYPES[c]}`).join(', ')}
    FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (request_id) DO NOTHING RETURNING request_id`;

async function insertRows(exec: SqlExecutor, rows: readonly unknown[][]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.length <= ROWS_PER_STATEMENT ? rows : rows.slice(i, i + ROWS_PER_STATEMENT);
    const res = await exec.query<{ request_id: string }>(INSERT_STATEMENT, [JSON.stringify(chunk)]);
    for (const row of res.rows) inserted.add(row.request_id);
  }
  return inserted;
}

export async function createUsageLedger(options: UsageLedgerOptions): Promise<UsageLedger> {
  const { db } = options;
  if (options.migrate !== false) await runMigrations(db, LEDGER_MIGRATIONS);

  return {
    async record(event) {
      const row = eventToRow(event);
      try {
        const res = await db.query(INSERT_STATEMENT, [JSON.stringify([row])]);
        return res.rows.length === 1;
      } catch (err) {
        throw toConduitError(err);
      }
    },

    async recordMany(events) {
      if (events.length === 0) return [];
      // Duplicates inside the batch would make one INSERT conflict with itself; keep first occurrences.
      const firstIndex = new Map<string, number>();
      const unique: unknown[][] = [];
      events.forEach((e, i) => {
        const row = eventToRow(e); // validates everything before writing anything
        if (!firstIndex.has(e.requestId)) {
          firstIndex.set(e.requestId, i);
          unique.push(row);
        }
      });
      let inserted: Set<string>;
      try {
        inserted = unique.length <= ROWS_PER_STATEMENT ? await insertRows(db, unique) : await db.transaction((tx) => insertRows(tx, unique));
      } catch (err) {
        throw toConduitError(err);
      }
      return events.map((e, i) => firstIndex.get(e.requestId) === i && inserted.has(e.requestId));
    },

    async spend(query) {
      const { sql, params } = buildSpendQuery(query);
      const res = await db.query<TotalsRow>(sql, params);
      return res.rows.map((r) => ({ group: r.group_value ?? null, ...toTotals(r) }));
    },

    async total(range) {
      const { sql, params } = buildTotalQuery(range);
      const res = await db.query<TotalsRow>(sql, params);
      return toTotals(res.rows[0]!);
    },
  };
}
