/**
 * Tables of the agent runs store:
 * - `conduit_agent_runs`: one row per run — status, totals, the final text or error, and `state`,
 *   the resumable RunState (messages so far, the turn waiting for approval).
 * - `conduit_agent_run_events`: the ordered events; `(run_id, seq)` is the key, which makes
 *   re-appending an event (a retry after a crash) a no-op.
 * - `conduit_agent_approvals`: one row per tool call waiting for (or given) a human decision.
 */
import type { Migration } from '../../store/migrations.js';

export const agentRunMigrations: readonly Migration[] = [
  {
    id: 'agents/0001_runs',
    sql: `
      CREATE TABLE IF NOT EXISTS conduit_agent_runs (
        id text PRIMARY KEY,
        agent text NOT NULL,
        status text NOT NULL,
        input text NOT NULL,
        final_text text,
        error jsonb,
        state jsonb,
        steps integer NOT NULL DEFAULT 0,
        usage jsonb,
        cost_usd double precision NOT NULL DEFAULT 0,
        tools_used jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS conduit_agent_runs_status_idx ON conduit_agent_runs (status, created_at DESC);
      CREATE INDEX IF NOT EXISTS conduit_agent_runs_agent_idx ON conduit_agent_runs (agent, created_at DESC);
      CREATE TABLE IF NOT EXISTS conduit_agent_run_events (
        run_id text NOT NULL REFERENCES conduit_agent_runs (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        type text NOT NULL,
        ts timestamptz NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE IF NOT EXISTS conduit_agent_approvals (
        approval_id text PRIMARY KEY,
        run_id text NOT NULL REFERENCES conduit_agent_runs (id) ON DELETE CASCADE,
        call_id text NOT NULL,
        tool text NOT NULL,
        args jsonb NOT NULL,
        risk_score double precision,
        status text NOT NULL DEFAULT 'pending',
        decided_by text,
        reason text,
        requested_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS conduit_agent_approvals_run_idx ON conduit_agent_approvals (run_id, requested_at);
    `,
  },
];
