import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { createIncidentRoutes } from '../../../src/apps/incident/http/incident-routes.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { openService, type ServiceBundle } from './support.js';

const TOKEN = 'routes-test-token-0123456789';

const amPayload = (alerts: { labels: Record<string, string>; status?: 'firing' | 'resolved'; startsAt?: string }[]) => ({
  version: '4',
  groupKey: '{}:{alertname="X"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'conduit',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://am',
  alerts: alerts.map((a) => ({ status: a.status ?? 'firing', labels: a.labels, annotations: { summary: 's' }, startsAt: a.startsAt ?? '2026-04-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom', fingerprint: '' })),
});

describe('incident routes', () => {
  let db: SqlDatabase;
  let bundle: ServiceBundle;
  let gw: Harness;
  let open: Harness;
  before(async () => {
    db = await openPGliteDatabase();
    bundle = await openService(db);
    gw = await startGateway({}, {}, {
      appRoutes: [createIncidentRoutes({ service: bundle.service, signals: bundle.signals, token: TOKEN, jsonMapping: { name: 'check.title', severity: 'level', labels: 'tags', status: 'state', summary: 'message' } })],
    });
    // No token configured and no gateway keys: nothing is served.
    open = await startGateway({}, {}, { appRoutes: [createIncidentRoutes({ service: bundle.service, signals: bundle.signals })] });
  });
  after(async () => {
    await gw.close();
    await open.close();
    await bundle.service.whenIdle();
    await db.close();
  });

  const call = async (method: string, path: string, body?: unknown, token = TOKEN, base = gw.url) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token === '' ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code?: string; message?: string } } };
  };

  test('authentication: a wrong or missing token is 401; with no token configured every request is refused', async () => {
    assert.equal((await call('GET', '/v1/incidents', undefined, '')).status, 401);
    const wrong = await call('POST', '/v1/incidents/alerts/alertmanager', amPayload([{ labels: { alertname: 'X' } }]), 'nope-nope-nope-nope-nope-nope');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error?.code, 'invalid_incident_token');
    const unconfigured = await call('GET', '/v1/incidents', undefined, TOKEN, open.url);
    assert.equal(unconfigured.status, 401);
    assert.equal(unconfigured.body.error?.code, 'incident_auth_not_configured');
    assert.equal((await bundle.service.listIncidents()).length, 0, 'nothing was ingested');
  });

  test('Alertmanager payloads: validated, deduplicated, grouped', async () => {
    const bad = await call('POST', '/v1/incidents/alerts/alertmanager', { version: '3', alerts: [] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, 'invalid_alertmanager_payload');
    const payload = amPayload([{ labels: { alertname: 'DiskFull', service: 'db', instance: 'db-1', severity: 'warning' } }, { labels: { alertname: 'DiskFull', service: 'db', instance: 'db-2', severity: 'critical' } }]);
    const first = await call('POST', '/v1/incidents/alerts/alertmanager', payload);
    assert.equal(first.status, 200);
    assert.equal((first.body.opened as string[]).length, 1);
    const second = await call('POST', '/v1/incidents/alerts/alertmanager', payload);
    assert.deepEqual((second.body.outcomes as { outcome: string }[]).map((o) => o.outcome), ['duplicate', 'duplicate']);
    const resolved = await call('POST', '/v1/incidents/alerts/alertmanager', amPayload([{ labels: { alertname: 'DiskFull', service: 'db', instance: 'db-1', severity: 'warning' }, status: 'resolved' }]));
    assert.deepEqual((resolved.body.outcomes as { outcome: string }[]).map((o) => o.outcome), ['resolved']);
    await bundle.service.whenIdle();
    const id = (first.body.opened as string[])[0] ?? '';
    const view = await call('GET', `/v1/incidents/${id}`);
    assert.equal(view.status, 200);
    const incident = view.body.incident as { severity: string; category: string; alertCount: number };
    assert.equal(incident.severity, 'critical');
    assert.equal(incident.category, 'capacity');
    assert.equal(incident.alertCount, 2);
    assert.ok((view.body.timeline as { type: string }[]).some((e) => e.type === 'alert_resolved'));
  });

  test('generic JSON through the configured mapping; a bad item refuses the whole request', async () => {
    const bad = await call('POST', '/v1/incidents/alerts', [{ check: { title: 'Ok' }, tags: { service: 'pay' } }, { tags: {} }]);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error?.message ?? '', /Alert 1 has no name at 'check.title'/);
    const r = await call('POST', '/v1/incidents/alerts', { alerts: [{ check: { title: 'PaymentErrors' }, level: 'P1', tags: { service: 'pay', region: 'us-east' }, state: 'open', message: 'error rate 12%' }] });
    assert.equal(r.status, 200);
    const id = (r.body.opened as string[])[0] ?? '';
    await bundle.service.whenIdle();
    const view = await call('GET', `/v1/incidents/${id}`);
    const alerts = view.body.alerts as { severity: string; labels: Record<string, string>; annotations: Record<string, string> }[];
    assert.equal(alerts[0]?.severity, 'critical');
    assert.equal(alerts[0]?.labels.region, 'us-east');
    assert.equal(alerts[0]?.annotations.summary, 'error rate 12%');
    const list = await call('GET', '/v1/incidents?status=open');
    assert.ok((list.body.data as { id: string }[]).some((i) => i.id === id));
    assert.equal((await call('GET', '/v1/incidents?status=bogus')).status, 400);
  });

  test('acknowledge, resolve (note required), 404s, changes and logs validation', async () => {
    const r = await call('POST', '/v1/incidents/alerts', { check: { title: 'QueueBacklog' }, tags: { service: 'jobs' } });
    const id = (r.body.opened as string[])[0] ?? '';
    await bundle.service.whenIdle();
    assert.equal((await call('GET', '/v1/incidents/inc_missing')).status, 404);
    assert.equal((await call('POST', '/v1/incidents/inc_missing/approvals/apr_x', { decision: 'approve' })).status, 404);
    assert.equal((await call('POST', `/v1/incidents/${id}/approvals/apr_x`, { decision: 'maybe' })).status, 400);
    const ack = await call('POST', `/v1/incidents/${id}/acknowledge`, {});
    assert.equal(ack.body.status, 'acknowledged');
    assert.equal(ack.body.acknowledgedBy, 'incident-token');
    assert.equal((await call('POST', `/v1/incidents/${id}/resolve`, { note: '' })).status, 400);
    const resolved = await call('POST', `/v1/incidents/${id}/resolve`, { note: 'Drained the queue', by: 'carol' });
    assert.equal(resolved.body.status, 'resolved');
    assert.equal(resolved.body.resolutionNote, 'Drained the queue');
    assert.equal((await call('POST', `/v1/incidents/${id}/resolve`, { note: 'again' })).status, 409);
    assert.equal((await call('POST', '/v1/incidents/changes', { kind: 'deploy' })).status, 400);
    assert.equal((await call('POST', '/v1/incidents/changes', [{ service: 'jobs', description: 'v2' }])).status, 201);
    assert.equal((await call('POST', '/v1/incidents/logs', { lines: [{ service: 'jobs' }] })).status, 400);
    assert.equal((await call('GET', '/v1/incidents/muted')).status, 200);
    assert.equal((await call('DELETE', '/v1/incidents')).status, 404);
  });
});
