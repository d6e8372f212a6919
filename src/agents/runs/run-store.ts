/**
 * The port runs are persisted through: the run record (status, totals, the resumable state) and
 * its ordered events, plus the approvals a paused run waits for. The SQL adapter (sql-run-store.ts)
 * serves both embedded PGlite and PostgreSQL.
 */
import type { Usage } from '../../core/usage.js';
import type { RunState } from '../loop/run-state.js';
import type { ApprovalDecision, RunEvent, RunStatus } from './run-event.js';

export interface RunRecord {
  id: string;
  agent: string;
  status: RunStatus;
  input: string;
  /** The final answer (or the last text, for runs stopped by a limit). */
  finalText: string | null;
  error: { kind: string; message: string; code?: string } | null;
  steps: number;
  usage: Usage;
  costUsd: number;
  toolsUsed: string[];
  createdAt: string;
  updatedAt: string;
}

export interface NewRun {
  id: string;
  agent: string;
  input: string;
}

export interface RunUpdate {
  status: RunStatus;
  state: RunState;
  finalText?: string | null;
  error?: RunRecord['error'];
}

export type ApprovalStatus = 'pending' | 'approved' | 'denied';

export interface ApprovalRecord {
  approvalId: string;
  runId: string;
  callId: string;
  tool: string;
  args: Record<string, unknown>;
  riskScore: number | null;
  status: ApprovalStatus;
  decidedBy: string | null;
  reason: string | null;
  requestedAt: string;
  decidedAt: string | null;
}

export interface NewApproval {
  approvalId: string;
  runId: string;
  callId: string;
  tool: string;
  args: Record<string, unknown>;
  riskScore?: number;
}

export interface ListRunsQuery {
  status?: RunStatus;
  agent?: string;
  /** Default 50, at most 500. Newest first. */
  limit?: number;
}

export interface RunStore {
  /** Creates the run record (status `running`); a second call with the same id is a no-op. */
  createRun(run: NewRun): Promise<void>;
  /** Appends events; an event whose `(runId, seq)` is already stored is skipped (idempotent). */
  appendEvents(events: readonly RunEvent[]): Promise<void>;
  /** Saves status, totals and the resumable state. */
  updateRun(runId: string, update: RunUpdate): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  loadState(runId: string): Promise<RunState | undefined>;
  listRuns(query?: ListRunsQuery): Promise<RunRecord[]>;
  /** Events with seq > afterSeq (default: all), in seq order. */
  listEvents(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<RunEvent[]>;
  /**
   * Atomically moves a run from `awaiting_approval` to `running`; false when it was not awaiting
   * (someone else resumed it, or it never paused). Exactly one resumer wins.
   */
  claimForResume(runId: string): Promise<boolean>;
  /** Stores pending approvals (idempotent by approval id). */
  createApprovals(approvals: readonly NewApproval[]): Promise<void>;
  getApproval(runId: string, approvalId: string): Promise<ApprovalRecord | undefined>;
  listApprovals(runId: string): Promise<ApprovalRecord[]>;
  /**
   * Records a decision on a pending approval. Returns the stored record; when it was already
   * decided, the stored record is returned unchanged (compare its status to detect a conflict).
   */
  decideApproval(runId: string, approvalId: string, decision: { decision: ApprovalDecision; by: string; reason?: string }): Promise<ApprovalRecord>;
  close?(): Promise<void>;
}
