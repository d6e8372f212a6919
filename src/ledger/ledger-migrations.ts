/** Schema of the usage ledger. Append-only: nothing in Conduit updates or deletes these rows. */
import type { Migration } from '../store/migrations.js';

export const LEDGER_TABLE = 'conduit_usage_events';

export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    id: 'ledger/0001_create_usage_events',
    sql: `
      CREATE TABLE ${LEDGER_TABLE} (
        request_id text PRIMARY KEY,
        ts timestamptz NOT NULL,
        key_id text,
        user_id text,
        team text,
        model text NOT NULL,
        provider text NOT NULL,
        served_model text NOT NULL,
        input_tokens bigint NOT NULL,
        output_tokens bigint NOT NULL,
        cached_input_tokens bigint NOT NULL,
        cache_write_tokens bigint NOT NULL,
        reasoning_tokens bigint NOT NULL,
        cost_usd numeric,
        status text NOT NULL CHECK (status IN ('ok', 'error', 'interrupted')),
        streamed boolean NOT NULL,
        latency_ms bigint NOT NULL,
        trace_id text,
        metadata jsonb
      );
      CREATE INDEX ${LEDGER_TABLE}_ts ON ${LEDGER_TABLE} (ts);
      CREATE INDEX ${LEDGER_TABLE}_key_ts ON ${LEDGER_TABLE} (key_id, ts);
      CREATE INDEX ${LEDGER_TABLE}_user_ts ON ${LEDGER_TABLE} (user_id, ts);
      CREATE INDEX ${LEDGER_TABLE}_team_ts ON ${LEDGER_TABLE} (team, ts)
    `,
  },
];
