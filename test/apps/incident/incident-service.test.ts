import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../../support/databases.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { webhookNotifier } from '../../../src/apps/incident/actions/notifier.js';
import { parseRunbook } from '../../../src/apps/incident/actions/runbook.js';
import { IncidentMetrics } from '../../../src/apps/incident/incident-metrics.js';
import { Registry } from 'prom-client';
import { alert, openService, startReceiver, type Receiver } from './support.js';

for (const factory of databaseFactories) {
  describe(`incident service (${factory.name})`, () => {
    let db: SqlDatabase;
    let dispose: () => Promise<void>;
    let receiver: Receiver;
    before(async () => {
      ({ db, dispose } = await factory.open());
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await dispose();
    });

    test('a burst of related alerts opens one incident; replays are duplicates; side effects happen once', async () => {
      const runbook = parseRunbook(
        `id: restart-api\ntitle: Restart api\nmatch: { alertnames: [HighCPU] }\nsteps: [Check the deploy]\naction: { name: restart-service, type: http, url: ${receiver.url}/remediate, body: { service: "{{service}}", incident: "{{incident_id}}" } }\nrisk: 0.4\n`,
        'inline',
      );
      const registry = new Registry();
      const { service, store } = await openService(db, {
        notifiers: [webhookNotifier(`${receiver.url}/notify`)],
        runbooks: [runbook],
        allowedActions: ['restart-service'],
        metrics: new IncidentMetrics(registry),
      });
      const burst = ['a', 'b', 'c'].map((h) => alert('HighCPU', { service: 'api', instance: `${h}:9100`, severity: 'critical', env: 'prod', team: 'sre' }));
      const first = await service.ingest(burst);
      assert.equal(first.opened.length, 1);
      assert.deepEqual(first.outcomes.map((o) => o.outcome), ['opened', 'attached', 'attached']);
      const again = await service.ingest([...burst, ...burst]);
      assert.deepEqual(again.opened, []);
      assert.ok(again.outcomes.every((o) => o.outcome === 'duplicate'));
      await service.whenIdle();

      const incidents = await service.listIncidents();
      assert.equal(incidents.length, 1);
      const view = await service.getIncident(incidents[0]?.id ?? '');
      assert.equal(view.alerts.length, 3);
      assert.ok(view.alerts.every((a) => a.repeats === 2));
      assert.equal(view.incident.summary?.method, 'rules');
      assert.equal(view.incident.summary?.category, 'resource_saturation');
      assert.equal(view.incident.severity, 'critical');
      assert.deepEqual(view.incident.services, ['api']);
      assert.equal((await store.listTickets()).length, 1);
      const notifications = receiver.received.filter((r) => r.path === '/notify');
      assert.equal(notifications.length, 1);
      assert.equal((notifications[0]?.body as { incident: { team: string } }).incident.team, 'sre');
      // base 0.4 + prod 0.2 + 3 hosts 0.1 + critical 0.1 = 0.8 ≥ 0.5: held for approval, nothing ran.
      const remediation = view.actions.find((a) => a.kind === 'remediation');
      assert.equal(remediation?.status, 'awaiting_approval');
      assert.equal(remediation?.riskScore, 0.8);
      assert.equal(receiver.received.filter((r) => r.path === '/remediate').length, 0);
      assert.equal(view.approvals.length, 1);
      assert.equal(view.approvals[0]?.status, 'pending');

      // Approve: runs once; approving again changes nothing; denying now is a conflict.
      const approvalId = view.approvals[0]?.approvalId ?? '';
      const decided = await service.decideApproval(view.incident.id, approvalId, { decision: 'approve', by: 'alice' });
      assert.equal(decided.action.status, 'executed');
      await service.decideApproval(view.incident.id, approvalId, { decision: 'approve', by: 'alice' });
      const remediations = receiver.received.filter((r) => r.path === '/remediate');
      assert.equal(remediations.length, 1);
      assert.deepEqual(remediations[0]?.body, { service: 'api', incident: view.incident.id });
      await assert.rejects(service.decideApproval(view.incident.id, approvalId, { decision: 'deny', by: 'bob' }), (e: Error & { code?: string }) => e.code === 'approval_already_decided');

      await assert.rejects(service.resolve(view.incident.id, { by: 'alice', note: '  ' }), /resolution note is required/);
      const resolved = await service.resolve(view.incident.id, { by: 'alice', note: 'Rolled back deploy 42' });
      assert.equal(resolved.status, 'resolved');
      assert.equal((await store.listTickets())[0]?.status, 'closed');
      await assert.rejects(service.resolve(view.incident.id, { by: 'alice', note: 'again' }), /already resolved/);
      const metricsText = await registry.metrics();
      assert.match(metricsText, /conduit_incident_time_to_resolve_seconds_count\{severity="critical"\} 1/);
      assert.match(metricsText, /conduit_incident_alerts_total\{outcome="duplicate"\} 6/);

      const timeline = (await service.getIncident(view.incident.id)).timeline.map((e) => e.type);
      for (const t of ['incident_opened', 'alert', 'classified', 'ticket_created', 'notification_sent', 'remediation_proposed', 'approval_requested', 'approval_decided', 'remediation_executed', 'resolved']) assert.ok(timeline.includes(t as never), `timeline has ${t}`);
    });

    test('groups by labels and window; flapping, informational and configured alerts are muted with reasons', async () => {
      let now = Date.parse('2026-02-01T00:00:00Z');
      const { service } = await openService(db, { clock: () => new Date(now), correlation: { groupBy: ['service'], windowMs: 60_000, flapThreshold: 3, flapWindowMs: 600_000, muteAlerts: ['Watchdog'] } });
      const r1 = await service.ingest([alert('Latency', { service: 'web' }, { startsAt: '2026-02-01T00:00:00Z' }), alert('Latency', { service: 'db' }, { startsAt: '2026-02-01T00:00:00Z' })]);
      assert.equal(r1.opened.length, 2, 'different services: two incidents');
      now += 120_000; // past the 60 s window
      const r2 = await service.ingest([alert('Errors', { service: 'web' }, { startsAt: '2026-02-01T00:02:00Z' })]);
      assert.equal(r2.opened.length, 1, 'after the window a new incident opens');
      const muted = await service.ingest([alert('Watchdog', { service: 'x' }), alert('DiskInfo', { service: 'y', severity: 'info' }), alert('Heartbeat', { service: 'y', severity: 'info' })]);
      assert.equal(muted.outcomes[0]?.outcome, 'muted');
      assert.equal(muted.outcomes[0]?.noise?.reasons[0]?.signal, 'muted_by_config');
      assert.equal(muted.outcomes[1]?.outcome, 'opened', 'info alone scores 0.5 < 0.7');
      // The same fingerprint firing again and again (new start each time) is flapping.
      const flaps = [];
      for (let i = 0; i < 4; i++) flaps.push(...(await service.ingest([alert('Flappy', { service: 'q' }, { startsAt: new Date(now + i * 1000).toISOString() })])).outcomes);
      assert.deepEqual(flaps.map((o) => o.outcome), ['opened', 'attached', 'muted', 'muted']);
      assert.equal(flaps[2]?.noise?.reasons.find((r) => r.signal === 'flapping')?.detail.startsWith('fired 3 times'), true);
      const mutedList = await service.listMutedAlerts();
      assert.ok(mutedList.some((a) => a.name === 'Flappy' && a.noiseReasons.some((r) => r.signal === 'flapping')));
      await service.whenIdle();
    });

    test('a risky action not on the allow-list is blocked; a low-risk allowed one runs at once', async () => {
      const rb = (id: string, action: string, risk: number) => parseRunbook(`id: ${id}\ntitle: t\nmatch: { labels: { service: ${id} } }\naction: { name: ${action}, type: http, url: ${receiver.url}/${id} }\nrisk: ${risk}\n`, id);
      const { service } = await openService(db, { runbooks: [rb('svc-a', 'dangerous', 0.9), rb('svc-b', 'safe', 0.1)], allowedActions: ['safe'] });
      const a = await service.ingest([alert('Down', { service: 'svc-a' }, { startsAt: '2026-03-01T00:00:00Z' })]);
      const b = await service.ingest([alert('Down', { service: 'svc-b' }, { startsAt: '2026-03-01T00:00:00Z' })]);
      await service.whenIdle();
      const va = await service.getIncident(a.opened[0]!);
      const vb = await service.getIncident(b.opened[0]!);
      assert.equal(va.actions.find((x) => x.kind === 'remediation')?.status, 'blocked');
      assert.equal(vb.actions.find((x) => x.kind === 'remediation')?.status, 'executed');
      assert.equal(receiver.received.filter((r) => r.path === '/svc-a').length, 0);
      assert.equal(receiver.received.filter((r) => r.path === '/svc-b').length, 1);
    });
  });
}
