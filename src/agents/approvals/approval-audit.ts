/**
 * Approval decisions in the hash-chained audit log. The entry is keyed by the approval id
 * (`requestId`), and the audit log keeps one entry per `(requestId, action)`: so the log itself
 * arbitrates concurrent decisions — the first one written wins, a retry returns it unchanged, and
 * a conflicting decision is detected by comparing outcomes.
 */
import type { AuditEntry, AuditLog } from '../../audit/index.js';
import type { ApprovalDecision } from '../runs/run-event.js';

export const APPROVAL_AUDIT_ACTION = 'agent.approval.decide';

export interface ApprovalAuditInput {
  runId: string;
  approvalId: string;
  agent: string;
  tool: string;
  callId: string;
  decision: ApprovalDecision;
  by: string;
  reason?: string;
}

export function approvalOutcome(decision: ApprovalDecision): 'approved' | 'denied' {
  return decision === 'approve' ? 'approved' : 'denied';
}

/** Appends (or finds) the decision's audit entry; its `outcome` tells which decision was recorded first. */
export function auditApprovalDecision(audit: AuditLog, input: ApprovalAuditInput): Promise<AuditEntry> {
  return audit.append({
    requestId: `agent-approval:${input.approvalId}`,
    actor: input.by,
    action: APPROVAL_AUDIT_ACTION,
    resource: `agent-run:${input.runId}`,
    outcome: approvalOutcome(input.decision),
    details: { runId: input.runId, approvalId: input.approvalId, agent: input.agent, tool: input.tool, callId: input.callId, decision: input.decision },
    // Free text from a person may name people: kept tamper-evident but erasable.
    ...(input.reason === undefined || input.reason === '' ? {} : { personal: { reason: input.reason } }),
  });
}
