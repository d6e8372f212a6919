/**
 * Incidents for the console: the list, one incident's view (timeline, alerts, actions, approvals)
 * and approval decisions. A decision always goes through the incident service's own
 * `decideApproval` — the console adds no approval logic, so an approval from the page is checked,
 * audited and executed (once) exactly as one through `POST /v1/incidents/{id}/approvals/{id}`.
 *
 * Two ways in: the service itself (in-process, when whoever starts the gateway holds it), or the
 * gateway's `/v1/incidents` routes over loopback (`conduit serve` opens the incident app lazily
 * inside its route group, as it does the agent runtime; see approvals-source.ts).
 */
import { ConduitError } from '../core/errors.js';
import type { ApprovalDecision } from '../agents/runs/run-event.js';
import type { ApprovalResult, IncidentService, IncidentView } from '../apps/incident/incident-service.js';
import type { IncidentRecord, IncidentStatus } from '../apps/incident/store/incident-records.js';
import type { GatewayClient, LoopbackReply } from './gateway-client.js';
import { replyErrorCode, replyErrorMessage } from './gateway-client.js';

export interface IncidentListQuery {
  status?: IncidentStatus;
  limit?: number;
}

export interface IncidentDecision {
  decision: ApprovalDecision;
  /** The deciding operator, as the audit log names them. */
  by: string;
  reason?: string;
}

export interface IncidentSource {
  list(query: IncidentListQuery): Promise<IncidentRecord[]>;
  get(id: string): Promise<IncidentView>;
  decide(incidentId: string, approvalId: string, input: IncidentDecision): Promise<ApprovalResult>;
}

/** The service's read and decision calls; a function opens it on first use (storage opened lazily). */
export function incidentsFromService(service: IncidentService | (() => Promise<IncidentService>)): IncidentSource {
  let opened: Promise<IncidentService> | undefined;
  const get = (): Promise<IncidentService> => {
    if (typeof service !== 'function') return Promise.resolve(service);
    opened ??= service().catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
  return {
    list: async (query) => (await get()).listIncidents(query),
    get: async (id) => (await get()).getIncident(id),
    decide: async (incidentId, approvalId, input) => (await get()).decideApproval(incidentId, approvalId, input),
  };
}

function failure(reply: LoopbackReply): ConduitError {
  const code = replyErrorCode(reply);
  if (reply.status === 404 && code === 'unknown_route') {
    return new ConduitError('not_found', 'Incidents are not served by this gateway (incident.http is off)', { code: 'feature_disabled' });
  }
  const kind = reply.status === 404 ? 'not_found' : reply.status >= 500 ? 'provider_error' : 'invalid_request';
  return new ConduitError(kind, replyErrorMessage(reply), { status: reply.status, ...(code === undefined ? {} : { code }) });
}

/** Through the gateway's `/v1/incidents` routes with the console's loopback credential. */
export function incidentsOverHttp(client: GatewayClient): IncidentSource {
  async function call(path: string, body?: unknown): Promise<Record<string, unknown>> {
    const reply = await client.request(path, body === undefined ? {} : { body });
    if (reply.status !== 200) throw failure(reply);
    return reply.body;
  }
  return {
    async list(query) {
      const q = new URLSearchParams();
      if (query.status !== undefined) q.set('status', query.status);
      if (query.limit !== undefined) q.set('limit', String(query.limit));
      const qs = q.toString();
      const body = await call(`/v1/incidents${qs === '' ? '' : `?${qs}`}`);
      return Array.isArray(body.data) ? (body.data as IncidentRecord[]) : [];
    },
    async get(id) {
      return (await call(`/v1/incidents/${encodeURIComponent(id)}`)) as unknown as IncidentView;
    },
    async decide(incidentId, approvalId, input) {
      // The routes name the decider from the credential when it identifies a principal (the master key: `admin`).
      const body = { decision: input.decision, by: input.by, ...(input.reason === undefined ? {} : { reason: input.reason }) };
      return (await call(`/v1/incidents/${encodeURIComponent(incidentId)}/approvals/${encodeURIComponent(approvalId)}`, body)) as unknown as ApprovalResult;
    },
  };
}
