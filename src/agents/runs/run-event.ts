/**
 * A run is the ordered list of these events. Each carries a per-run `seq` (0, 1, 2…) assigned by
 * the loop, so writing the same event twice (a retry after a crash) is a no-op in the store, and a
 * reader can resume a stream after the last seq it saw.
 */
import type { Usage } from '../../core/usage.js';
import type { Message, ToolCall } from '../../core/messages.js';

export type RunStatus = 'running' | 'awaiting_approval' | 'completed' | 'max_steps' | 'deadline' | 'budget_exceeded' | 'cancelled' | 'failed';

/** Statuses a run never leaves. */
export const TERMINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>(['completed', 'max_steps', 'deadline', 'budget_exceeded', 'cancelled', 'failed']);

export function isTerminalStatus(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.has(status);
}

export type ApprovalDecision = 'approve' | 'deny';

export type RunEventData =
  | {
      type: 'run_started';
      agent: string;
      input: string;
      model: string;
      toolMode: 'native' | 'text';
      tools: string[];
      /** The conversation the run started from (system prompt, history, input), so replay is exact. */
      messages: Message[];
    }
  | { type: 'model_call'; step: number; text: string; toolCalls: ToolCall[]; finishReason: string; usage: Usage; costUsd?: number; durationMs: number; model: string }
  | { type: 'tool_call'; step: number; callId: string; tool: string; arguments: string }
  | {
      type: 'tool_result';
      step: number;
      callId: string;
      tool: string;
      content: string;
      isError: boolean;
      /** `executed`, or why it did not run: `refused` (not allowed), `invalid_arguments`, `denied` (by a human). */
      outcome: 'executed' | 'refused' | 'invalid_arguments' | 'denied';
      durationMs: number;
      attempts: number;
      data?: unknown;
    }
  | { type: 'approval_requested'; approvalId: string; callId: string; tool: string; arguments: Record<string, unknown>; riskScore?: number }
  | { type: 'approval_decided'; approvalId: string; callId: string; tool: string; decision: ApprovalDecision; by: string; reason?: string }
  | { type: 'run_paused'; pendingApprovals: string[] }
  | { type: 'run_resumed' }
  | { type: 'final_answer'; text: string }
  | { type: 'run_stopped'; status: Exclude<RunStatus, 'running' | 'awaiting_approval' | 'completed' | 'failed'>; reason: string; text: string }
  | { type: 'run_failed'; error: { kind: string; message: string; code?: string } };

export type RunEventType = RunEventData['type'];

export type RunEvent = RunEventData & {
  runId: string;
  seq: number;
  /** ISO 8601. */
  ts: string;
};
