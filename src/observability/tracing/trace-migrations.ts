import type { Migration } from '../../store/migrations.js';

/**
 * One row per span. The columns the console filters on (key, model, provider, HTTP status, cost)
 * are copied out of the attributes at insert, so listing traces never digs into JSON.
 * `local_root` marks the span that starts the trace in this process (no parent, or a parent in
 * the caller's process given by `traceparent`): the row a trace is listed by.
 */
export const TRACE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'tracing/0001_create_spans',
    sql: `
      CREATE TABLE IF NOT EXISTS conduit_trace_spans (
        trace_id text NOT NULL,
        span_id text NOT NULL,
        parent_span_id text,
        local_root boolean NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        start_ms double precision NOT NULL,
        end_ms double precision NOT NULL,
        status text NOT NULL,
        status_message text,
        key_id text,
        model text,
        provider text,
        http_status integer,
        cost_usd double precision,
        attributes jsonb NOT NULL,
        events jsonb NOT NULL,
        PRIMARY KEY (trace_id, span_id)
      );
      CREATE INDEX IF NOT EXISTS conduit_trace_spans_roots ON conduit_trace_spans (start_ms DESC) WHERE local_root;
      CREATE INDEX IF NOT EXISTS conduit_trace_spans_start ON conduit_trace_spans (start_ms);
    `,
  },
];
