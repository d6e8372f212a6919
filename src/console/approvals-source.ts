/**
 * Pending tool-call approvals of agent runs, for the console. The agent runtime lives inside the
 * agents' route group (`/v1/runs/*`), so the console goes through that HTTP API as the master
 * principal: a decision takes exactly the path an API caller's would (the run resumes, the
 * decision is audited with the deciding principal).
 */
import { ConduitError } from '../core/errors.js';
import type { GatewayClient, LoopbackReply } from './gateway-client.js';
import { replyErrorCode, replyErrorMessage } from './gateway-client.js';

export interface PendingApproval {
  id: string;
  runId: string;
  agent: string;
  runInput: string;
  tool: string;
  arguments: unknown;
  riskScore: number | null;
  requestedAt: string;
}

export interface ApprovalsSource {
  listPending(): Promise<PendingApproval[]>;
  /** Returns the run's status after the decision. */
  decide(runId: string, approvalId: string, decision: 'approve' | 'deny', reason: string | undefined): Promise<{ runStatus: string }>;
}

function failure(reply: LoopbackReply): ConduitError {
  if (reply.status === 404 && replyErrorCode(reply) === 'unknown_route') {
    return new ConduitError('not_found', 'Agent runs are not served by this gateway (agents.http is off)', { code: 'feature_disabled' });
  }
  return new ConduitError(reply.status === 404 ? 'not_found' : reply.status >= 500 ? 'provider_error' : 'invalid_request', replyErrorMessage(reply), {
    status: reply.status,
    ...(replyErrorCode(reply) === undefined ? {} : { code: replyErrorCode(reply) }),
  });
}

/** Approvals through the gateway's `/v1/runs` API; `maxRuns` awaiting runs are inspected (default 50). */
export function approvalsOverHttp(client: GatewayClient, maxRuns = 50): ApprovalsSource {
  async function get(path: string): Promise<Record<string, unknown>> {
    const reply = await client.request(path);
    if (reply.status !== 200) throw failure(reply);
    return reply.body;
  }

  return {
    async listPending() {
      const list = await get(`/v1/runs?status=awaiting_approval&limit=${maxRuns}`);
      const runs = Array.isArray(list.data) ? (list.data as Record<string, unknown>[]) : [];
      const full = await Promise.all(runs.map((r) => get(`/v1/runs/${encodeURIComponent(String(r.id))}`)));
      const out: PendingApproval[] = [];
      for (const run of full) {
        const pending = Array.isArray(run.pending_approvals) ? (run.pending_approvals as Record<string, unknown>[]) : [];
        for (const a of pending) {
          out.push({
            id: String(a.id),
            runId: String(run.id),
            agent: String(run.agent),
            runInput: typeof run.input === 'string' ? run.input : '',
            tool: String(a.tool),
            arguments: a.arguments,
            riskScore: typeof a.risk_score === 'number' ? a.risk_score : null,
            requestedAt: String(a.requested_at),
          });
        }
      }
      return out.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    },
    async decide(runId, approvalId, decision, reason) {
      const reply = await client.request(`/v1/runs/${encodeURIComponent(runId)}/approvals/${encodeURIComponent(approvalId)}`, {
        body: { decision, ...(reason === undefined ? {} : { reason }) },
      });
      if (reply.status !== 200) throw failure(reply);
      return { runStatus: String(reply.body.status) };
    },
  };
}
