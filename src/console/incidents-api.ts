/**
 * `/console/api/incidents[/{id}[/approvals/{approval_id}]]`: the incident list (status filter,
 * pending approvals counted per unresolved incident), one incident's view, and approve / deny of
 * a held remediation. The decision is the incident service's own (`decideApproval`): it checks,
 * audits and executes the remediation once; the console only names the deciding operator.
 */
import { z } from 'zod';
import { ConduitError } from '../core/errors.js';
import type { IncidentStatus } from '../apps/incident/store/incident-records.js';
import type { ApiAnswer, ApiRequest } from './console-api.js';
import type { IncidentSource } from './incident-source.js';

/** Console sessions are master-key logins: the operator is the administrator, named as `/admin/*` names them. */
export const CONSOLE_OPERATOR = 'admin';

const STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved'];
const LIST_LIMIT = 100;

const decisionSchema = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(2000).optional(),
});

function notAllowed(method: string): ConduitError {
  return new ConduitError('invalid_request', `Method ${method} is not allowed here`, { status: 405, code: 'method_not_allowed' });
}

async function list(req: ApiRequest, source: IncidentSource): Promise<ApiAnswer> {
  const status = req.query.get('status');
  if (status !== null && status !== '' && !(STATUSES as readonly string[]).includes(status)) {
    throw new ConduitError('invalid_request', `status must be one of ${STATUSES.join(', ')}`, { param: 'status', code: 'invalid_status' });
  }
  const incidents = await source.list({ ...(status === null || status === '' ? {} : { status: status as IncidentStatus }), limit: LIST_LIMIT });
  // Only unresolved incidents can hold a pending approval worth a badge; resolved ones are not read again.
  const data = await Promise.all(
    incidents.map(async (i) => {
      let pendingApprovals = 0;
      let actions = 0;
      if (i.status !== 'resolved') {
        const view = await source.get(i.id);
        pendingApprovals = view.approvals.filter((a) => a.status === 'pending').length;
        actions = view.actions.length;
      }
      return {
        id: i.id,
        key: i.key,
        title: i.title,
        status: i.status,
        severity: i.severity,
        services: i.services,
        category: i.category,
        alertCount: i.alertCount,
        actionCount: i.status === 'resolved' ? null : actions,
        pendingApprovals,
        createdAt: i.createdAt,
        lastAlertAt: i.lastAlertAt,
      };
    }),
  );
  return { status: 200, body: { data } };
}

export async function incidentsRoute(req: ApiRequest, source: IncidentSource): Promise<ApiAnswer> {
  const [, id, sub, approvalId, ...more] = req.parts;
  if (id === undefined) {
    if (req.method !== 'GET') throw notAllowed(req.method);
    return list(req, source);
  }
  if (sub === undefined) {
    if (req.method !== 'GET') throw notAllowed(req.method);
    return { status: 200, body: await source.get(id) };
  }
  if (sub === 'approvals' && approvalId !== undefined && more.length === 0) {
    if (req.method !== 'POST') throw notAllowed(req.method);
    const parsed = decisionSchema.safeParse(await req.body());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConduitError('invalid_request', `Invalid decision${issue === undefined ? '' : ` at '${issue.path.join('.') || '(root)'}': ${issue.message}`}`, { code: 'invalid_decision', param: issue?.path.join('.') ?? 'decision' });
    }
    const reason = parsed.data.reason === undefined || parsed.data.reason === '' ? undefined : parsed.data.reason;
    const result = await source.decide(id, approvalId, { decision: parsed.data.decision, by: CONSOLE_OPERATOR, ...(reason === undefined ? {} : { reason }) });
    return { status: 200, body: result };
  }
  throw new ConduitError('not_found', `Unknown console API route: ${req.method} /console/api/${req.parts.join('/')}`, { code: 'unknown_route' });
}
