/** The JSON shapes of runs, events and approvals on the HTTP API (snake_case, like the rest of /v1). */
import type { RunEvent } from '../runs/run-event.js';
import type { ApprovalRecord, RunRecord } from '../runs/run-store.js';

export function runJson(run: RunRecord, approvals: readonly ApprovalRecord[] = [], events?: readonly RunEvent[]): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: run.id,
    object: 'agent.run',
    agent: run.agent,
    status: run.status,
    input: run.input,
    output: run.finalText,
    error: run.error,
    steps: run.steps,
    usage: { input_tokens: run.usage.inputTokens, output_tokens: run.usage.outputTokens },
    cost_usd: run.costUsd,
    tools_used: run.toolsUsed,
    pending_approvals: approvals.filter((a) => a.status === 'pending').map(approvalJson),
    created_at: run.createdAt,
    updated_at: run.updatedAt,
  };
  if (events !== undefined) {
    body.approvals = approvals.map(approvalJson);
    body.events = events;
  }
  return body;
}

export function approvalJson(a: ApprovalRecord): Record<string, unknown> {
  return {
    id: a.approvalId,
    run_id: a.runId,
    call_id: a.callId,
    tool: a.tool,
    arguments: a.args,
    risk_score: a.riskScore,
    status: a.status,
    decided_by: a.decidedBy,
    reason: a.reason,
    requested_at: a.requestedAt,
    decided_at: a.decidedAt,
  };
}
