/**
 * Everything needed to continue a run, persisted whenever it pauses (awaiting approval) or ends:
 * the conversation so far and the assistant turn whose tool calls are waiting for a human. A
 * process that restarts loads this and carries on exactly where the paused one stopped.
 */
import type { Message, ToolCall } from '../../core/messages.js';
import type { Usage } from '../../core/usage.js';

export const RUN_STATE_VERSION = 1;

/** A tool result decided before the turn could continue (executed, refused, invalid). */
export interface SettledToolResult {
  callId: string;
  tool: string;
  content: string;
  isError: boolean;
}

export interface PendingApprovalState {
  approvalId: string;
  callId: string;
  tool: string;
  args: Record<string, unknown>;
  riskScore?: number;
}

/** The assistant turn in progress: its calls in order, the results settled so far, and what waits for approval. */
export interface PendingTurn {
  step: number;
  calls: ToolCall[];
  settled: SettledToolResult[];
  approvals: PendingApprovalState[];
}

export interface RunState {
  version: typeof RUN_STATE_VERSION;
  runId: string;
  agent: string;
  toolMode: 'native' | 'text';
  messages: Message[];
  /** Model calls made so far. */
  steps: number;
  usage: Usage;
  costUsd: number;
  /** Active time already spent (time waiting for a human is not counted against the deadline). */
  elapsedMs: number;
  /** Distinct tool names that executed, in first-use order. */
  toolsUsed: string[];
  /** The seq the next event gets. */
  nextSeq: number;
  pending?: PendingTurn;
}
