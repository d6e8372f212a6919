/** The RunStore over the relational port: one implementation for embedded PGlite and PostgreSQL. */
import { ConduitError } from '../../core/errors.js';
import { emptyUsage, type Usage } from '../../core/usage.js';
import { runMigrations } from '../../store/migrations.js';
import type { SqlDatabase } from '../../store/sql.js';
import type { RunState } from '../loop/run-state.js';
import type { RunEvent, RunStatus } from './run-event.js';
import { agentRunMigrations } from './run-migrations.js';
import type { ApprovalRecord, ApprovalStatus, ListRunsQuery, NewApproval, NewRun, RunRecord, RunStore, RunUpdate } from './run-store.js';

export interface SqlRunStoreOptions {
  db: SqlDatabase;
  /** Run the migrations (default true). */
  migrate?: boolean;
}

interface RunRow {
  id: string;
  agent: string;
  status: string;
  input: string;
  final_text: string | null;
  error: RunRecord['error'];
  steps: number;
  usage: Usage | null;
  cost_usd: number;
  tools_used: string[];
  created_at: Date | string;
  updated_at: Date | string;
}

interface EventRow {
  run_id: string;
  seq: number;
  type: string;
  ts: Date | string;
  data: Record<string, unknown>;
}

interface ApprovalRow {
  approval_id: string;
  run_id: string;
  call_id: string;
  tool: string;
  args: Record<string, unknown>;
  risk_score: number | null;
  status: string;
  decided_by: string | null;
  reason: string | null;
  requested_at: Date | string;
  decided_at: Date | string | null;
}

const RUN_COLUMNS = 'id, agent, status, input, final_text, error, steps, usage, cost_usd, tools_used, created_at, updated_at';
const APPROVAL_COLUMNS = 'approval_id, run_id, call_id, tool, args, risk_score, status, decided_by, reason, requested_at, decided_at';

export async function createSqlRunStore(options: SqlRunStoreOptions): Promise<RunStore> {
  const { db } = options;
  if (options.migrate !== false) await runMigrations(db, agentRunMigrations);

  return {
    async createRun(run: NewRun) {
      await db.query('INSERT INTO conduit_agent_runs (id, agent, status, input) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING', [run.id, run.agent, 'running', run.input]);
    },

    async appendEvents(events: readonly RunEvent[]) {
      if (events.length === 0) return;
      const params: unknown[] = [];
      const values = events.map((e) => {
        const { runId, seq, type, ts, ...rest } = e;
        const data: Record<string, unknown> = { ...rest };
        delete data.type;
        params.push(runId, seq, type, ts, JSON.stringify(data));
        const n = params.length;
        return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
      });
      await db.query(`INSERT INTO conduit_agent_run_events (run_id, seq, type, ts, data) VALUES ${values.join(', ')} ON CONFLICT (run_id, seq) DO NOTHING`, params);
    },

    async updateRun(runId: string, update: RunUpdate) {
      const s = update.state;
      const result = await db.query(
        `UPDATE conduit_agent_runs
            SET status = $2, state = $3::jsonb, final_text = $4, error = $5::jsonb, steps = $6, usage = $7::jsonb, cost_usd = $8, tools_used = $9::jsonb, updated_at = now()
          WHERE id = $1`,
        [runId, update.status, JSON.stringify(s), update.finalText ?? null, update.error == null ? null : JSON.stringify(update.error), s.steps, JSON.stringify(s.usage), s.costUsd, JSON.stringify(s.toolsUsed)],
      );
      if (result.rowCount === 0) throw new ConduitError('not_found', `No run ${runId}`, { code: 'run_not_found' });
    },

    async getRun(runId: string) {
      const row = (await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM conduit_agent_runs WHERE id = $1`, [runId])).rows[0];
      return row === undefined ? undefined : toRun(row);
    },

    async loadState(runId: string) {
      const row = (await db.query<{ state: RunState | null }>('SELECT state FROM conduit_agent_runs WHERE id = $1', [runId])).rows[0];
      return row?.state ?? undefined;
    },

    async listRuns(query: ListRunsQuery = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.status !== undefined) {
        params.push(query.status);
        where.push(`status = $${params.length}`);
      }
      if (query.agent !== undefined) {
        params.push(query.agent);
        where.push(`agent = $${params.length}`);
      }
      const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 500);
      const rows = (await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM conduit_agent_runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${limit}`, params)).rows;
      return rows.map(toRun);
    },

    async listEvents(runId: string, opts: { afterSeq?: number; limit?: number } = {}) {
      const limit = Math.min(Math.max(Math.trunc(opts.limit ?? 10_000), 1), 10_000);
      const rows = (await db.query<EventRow>(`SELECT run_id, seq, type, ts, data FROM conduit_agent_run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT ${limit}`, [runId, opts.afterSeq ?? -1])).rows;
      return rows.map((r) => ({ ...r.data, type: r.type, runId: r.run_id, seq: Number(r.seq), ts: iso(r.ts) }) as RunEvent);
    },

    async claimForResume(runId: string) {
      const result = await db.query(`UPDATE conduit_agent_runs SET status = 'running', updated_at = now() WHERE id = $1 AND status = 'awaiting_approval'`, [runId]);
      return result.rowCount === 1;
    },

    async createApprovals(approvals: readonly NewApproval[]) {
      for (const a of approvals) {
        await db.query(
          'INSERT INTO conduit_agent_approvals (approval_id, run_id, call_id, tool, args, risk_score) VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (approval_id) DO NOTHING',
          [a.approvalId, a.runId, a.callId, a.tool, JSON.stringify(a.args), a.riskScore ?? null],
        );
      }
    },

    async getApproval(runId: string, approvalId: string) {
      const row = (await db.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM conduit_agent_approvals WHERE run_id = $1 AND approval_id = $2`, [runId, approvalId])).rows[0];
      return row === undefined ? undefined : toApproval(row);
    },

    async listApprovals(runId: string) {
      const rows = (await db.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM conduit_agent_approvals WHERE run_id = $1 ORDER BY requested_at, approval_id`, [runId])).rows;
      return rows.map(toApproval);
    },

    async decideApproval(runId, approvalId, decision) {
      const status: ApprovalStatus = decision.decision === 'approve' ? 'approved' : 'denied';
      const updated = (
        await db.query<ApprovalRow>(
          `UPDATE conduit_agent_approvals SET status = $3, decided_by = $4, reason = $5, decided_at = now()
            WHERE run_id = $1 AND approval_id = $2 AND status = 'pending' RETURNING ${APPROVAL_COLUMNS}`,
          [runId, approvalId, status, decision.by, decision.reason ?? null],
        )
      ).rows[0];
      if (updated !== undefined) return toApproval(updated);
      const existing = (await db.query<ApprovalRow>(`SELECT ${APPROVAL_COLUMNS} FROM conduit_agent_approvals WHERE run_id = $1 AND approval_id = $2`, [runId, approvalId])).rows[0];
      if (existing === undefined) throw new ConduitError('not_found', `Run ${runId} has no approval ${approvalId}`, { code: 'approval_not_found' });
      return toApproval(existing);
    },
  };
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    agent: row.agent,
    status: row.status as RunStatus,
    input: row.input,
    finalText: row.final_text,
    error: row.error,
    steps: Number(row.steps),
    usage: row.usage ?? emptyUsage(),
    costUsd: Number(row.cost_usd),
    toolsUsed: row.tools_used,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toApproval(row: ApprovalRow): ApprovalRecord {
  return {
    approvalId: row.approval_id,
    runId: row.run_id,
    callId: row.call_id,
    tool: row.tool,
    args: row.args,
    riskScore: row.risk_score === null ? null : Number(row.risk_score),
    status: row.status as ApprovalStatus,
    decidedBy: row.decided_by,
    reason: row.reason,
    requestedAt: iso(row.requested_at),
    decidedAt: row.decided_at === null ? null : iso(row.decided_at),
  };
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
