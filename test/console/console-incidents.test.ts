/**
 * The console's incident API through a real gateway: an Alertmanager burst delivered to the
 * incident routes opens one incident; the console lists it (status filter, counts), shows its
 * timeline, refuses cross-site and malformed decisions without changing anything, and approves or
 * denies held remediations through the incident service (audited there, executed exactly once).
 * The loopback source `conduit serve` uses is checked against the same routes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatewayClient, incidentsOverHttp } from '../../src/console/index.js';
import { APPROVAL_AUDIT_ACTION } from '../../src/agents/approvals/approval-audit.js';
import { errorCode } from '../policy/support.js';
import { MASTER, consoleCall, login, startConsoleGateway, type ConsoleGateway } from './support.js';
import { INCIDENT_TOKEN, REMEDIATION_PATH, alertmanagerBurst, deliverAlerts, type IncidentApp } from './incident-support.js';

interface ListRow {
  id: string;
  key: string;
  status: string;
  severity: string;
  services: string[];
  alertCount: number;
  pendingApprovals: number;
  createdAt: string;
}

interface View {
  incident: { id: string; status: string };
  timeline: { type: string; data: Record<string, unknown> }[];
  alerts: unknown[];
  actions: { kind: string; status: string; approvalId: string | null }[];
  approvals: { approvalId: string; status: string; decidedBy: string | null; reason: string | null }[];
}

describe('console incidents API', () => {
  let gw: ConsoleGateway;
  let app: IncidentApp;
  let cookie: string;
  let checkoutId: string;
  let checkoutApproval: string;

  const remediations = (incidentId: string) => app.receiver.received.filter((r) => r.path === REMEDIATION_PATH && (r.body as { incident?: string }).incident === incidentId);
  const view = async (id: string): Promise<View> => {
    const res = await consoleCall(gw.url, `incidents/${id}`, { cookie });
    assert.equal(res.status, 200);
    return res.body as unknown as View;
  };

  before(async () => {
    gw = await startConsoleGateway({ incidents: true });
    assert.ok(gw.incidents);
    app = gw.incidents;
    cookie = await login(gw.url);
    const burst = alertmanagerBurst(['web-1', 'web-2', 'web-3']);
    const first = await deliverAlerts(app, burst);
    assert.equal(first.opened.length, 1);
    // Alertmanager re-sends the group: duplicates, no second incident.
    const replay = await deliverAlerts(app, burst);
    assert.deepEqual(replay.opened, []);
    checkoutId = first.opened[0] ?? '';
  });
  after(async () => {
    await gw?.close();
  });

  test('list: one incident for the burst, with status, severity, service, counts; status filter validated', async () => {
    const res = await consoleCall(gw.url, 'incidents', { cookie });
    assert.equal(res.status, 200);
    const rows = res.body.data as ListRow[];
    assert.equal(rows.length, 1);
    const row = rows[0];
    assert.equal(row?.id, checkoutId);
    assert.equal(row?.status, 'open');
    assert.equal(row?.severity, 'critical');
    assert.deepEqual(row?.services, ['checkout']);
    assert.equal(row?.alertCount, 3);
    assert.equal(row?.pendingApprovals, 1);
    assert.ok(!Number.isNaN(Date.parse(row?.createdAt ?? '')));
    assert.equal(((await consoleCall(gw.url, 'incidents?status=open', { cookie })).body.data as ListRow[]).length, 1);
    assert.equal(((await consoleCall(gw.url, 'incidents?status=resolved', { cookie })).body.data as ListRow[]).length, 0);
    const bad = await consoleCall(gw.url, 'incidents?status=burning', { cookie });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'invalid_status');
    assert.equal((await consoleCall(gw.url, 'incidents')).status, 401, 'no session, no incidents');
    const overview = await consoleCall(gw.url, 'overview', { cookie });
    assert.equal((overview.body.features as Record<string, boolean>).incidents, true);
  });

  test('detail: timeline, alerts, actions and the held remediation; unknown incident is 404', async () => {
    const v = await view(checkoutId);
    const types = v.timeline.map((e) => e.type);
    for (const t of ['incident_opened', 'alert', 'classified', 'ticket_created', 'notification_sent', 'remediation_proposed', 'approval_requested']) assert.ok(types.includes(t), `timeline has ${t}: ${types.join(', ')}`);
    assert.equal(types.filter((t) => t === 'incident_opened').length, 1);
    assert.equal(v.alerts.length, 3);
    const remediation = v.actions.find((a) => a.kind === 'remediation');
    assert.equal(remediation?.status, 'awaiting_approval');
    assert.equal(v.approvals.length, 1);
    assert.equal(v.approvals[0]?.status, 'pending');
    checkoutApproval = v.approvals[0]?.approvalId ?? '';
    assert.equal(remediation?.approvalId, checkoutApproval);
    assert.equal(remediations(checkoutId).length, 0, 'a risky remediation waits');
    const missing = await consoleCall(gw.url, 'incidents/no-such-incident', { cookie });
    assert.equal(missing.status, 404);
    assert.equal(errorCode(missing), 'incident_not_found');
  });

  test('decisions without the CSRF header, from another origin, without a session or malformed change nothing', async () => {
    const path = `incidents/${checkoutId}/approvals/${checkoutApproval}`;
    const noHeader = await consoleCall(gw.url, path, { cookie, body: { decision: 'approve' }, headers: { 'x-conduit-console': '0' } });
    assert.equal(noHeader.status, 403);
    assert.equal(errorCode(noHeader), 'csrf_check_failed');
    const crossSite = await consoleCall(gw.url, path, { cookie, body: { decision: 'approve' }, headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    assert.equal(errorCode(crossSite), 'csrf_check_failed');
    const noSession = await consoleCall(gw.url, path, { body: { decision: 'approve' } });
    assert.equal(noSession.status, 401);
    const bad = await consoleCall(gw.url, path, { cookie, body: { decision: 'maybe' } });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'invalid_decision');
    const extra = await consoleCall(gw.url, path, { cookie, body: { decision: 'approve', by: 'someone-else' } });
    assert.equal(extra.status, 400, 'the decider is the logged-in operator, not a field');
    const wrongApproval = await consoleCall(gw.url, `incidents/${checkoutId}/approvals/apr_nope`, { cookie, body: { decision: 'approve' } });
    assert.equal(wrongApproval.status, 404);
    assert.equal(errorCode(wrongApproval), 'approval_not_found');
    assert.equal((await consoleCall(gw.url, path, { cookie, method: 'GET' })).status, 405);
    const v = await view(checkoutId);
    assert.equal(v.approvals[0]?.status, 'pending');
    assert.equal(remediations(checkoutId).length, 0);
  });

  test('deny: the remediation never runs; the decision names the operator and reason, audited by the service', async () => {
    const cart = await deliverAlerts(app, alertmanagerBurst(['cart-1', 'cart-2', 'cart-3'], 'HighErrorRate', 'cart'));
    const cartId = cart.opened[0] ?? '';
    const approvalId = (await view(cartId)).approvals[0]?.approvalId ?? '';
    assert.notEqual(approvalId, '');
    const denied = await consoleCall(gw.url, `incidents/${cartId}/approvals/${approvalId}`, { cookie, body: { decision: 'deny', reason: 'cart is mid-deploy' } });
    assert.equal(denied.status, 200);
    const body = denied.body as { approval: { status: string; decidedBy: string; reason: string }; action: { status: string } };
    assert.equal(body.approval.status, 'denied');
    assert.equal(body.approval.decidedBy, 'admin');
    assert.equal(body.approval.reason, 'cart is mid-deploy');
    assert.equal(body.action.status, 'denied');
    await app.service.whenIdle();
    assert.equal(remediations(cartId).length, 0);
    const decided = (await view(cartId)).timeline.find((e) => e.type === 'approval_decided');
    assert.deepEqual({ decision: decided?.data.decision, by: decided?.data.by, reason: decided?.data.reason }, { decision: 'deny', by: 'admin', reason: 'cart is mid-deploy' });
    const audit = await app.audit.query({ action: APPROVAL_AUDIT_ACTION });
    const entries = audit.entries.filter((e) => JSON.stringify(e).includes(approvalId));
    assert.equal(entries.length, 1, 'one audit entry, written by the incident service');
    assert.equal(entries[0]?.actor, 'admin');
  });

  test('approve: the remediation runs exactly once; repeating is harmless, the opposite decision is 409', async () => {
    const path = `incidents/${checkoutId}/approvals/${checkoutApproval}`;
    const approved = await consoleCall(gw.url, path, { cookie, body: { decision: 'approve', reason: 'error budget burning' } });
    assert.equal(approved.status, 200);
    assert.equal((approved.body.action as { status: string }).status, 'executed');
    const again = await consoleCall(gw.url, path, { cookie, body: { decision: 'approve' } });
    assert.equal(again.status, 200);
    const deny = await consoleCall(gw.url, path, { cookie, body: { decision: 'deny' } });
    assert.equal(deny.status, 409);
    assert.equal(errorCode(deny), 'approval_already_decided');
    await app.service.whenIdle();
    const calls = remediations(checkoutId);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]?.body, { service: 'checkout', incident: checkoutId });
    const types = (await view(checkoutId)).timeline.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'remediation_executed').length, 1);
    const rows = (await consoleCall(gw.url, 'incidents', { cookie })).body.data as ListRow[];
    assert.equal(rows.find((r) => r.id === checkoutId)?.pendingApprovals, 0);
  });

  test('loopback source (conduit serve): the same incidents through /v1/incidents', async () => {
    const source = incidentsOverHttp(createGatewayClient({ baseUrl: () => app.url, credential: INCIDENT_TOKEN }));
    const listed = await source.list({ status: 'open' });
    assert.deepEqual(listed.map((i) => i.id).sort(), (await app.service.listIncidents({ status: 'open' })).map((i) => i.id).sort());
    const v = await source.get(checkoutId);
    assert.equal(v.incident.id, checkoutId);
    assert.ok(v.timeline.some((e) => e.type === 'remediation_executed'));
    await assert.rejects(source.get('no-such-incident'), (e: Error & { code?: string }) => e.code === 'incident_not_found');
    await assert.rejects(source.decide(checkoutId, checkoutApproval, { decision: 'deny', by: 'admin' }), (e: Error & { code?: string }) => e.code === 'approval_already_decided');
    // A gateway without the incident routes: the page says the feature is off rather than failing.
    const off = incidentsOverHttp(createGatewayClient({ baseUrl: () => gw.url, credential: MASTER }));
    await assert.rejects(off.list({}), (e: Error & { code?: string }) => e.code === 'feature_disabled');
  });
});
