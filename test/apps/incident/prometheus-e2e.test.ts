/**
 * The done-when test of issue 7, with the real Prometheus and Alertmanager (Debian's `prometheus`
 * and `prometheus-alertmanager`, installed by .ci/run): a test exporter makes a rule fire for
 * three hosts of one service, Alertmanager delivers its webhook to a real gateway, and Conduit
 * opens exactly one incident, files one ticket, sends one notification and holds the risky
 * remediation until it is approved over HTTP. Replaying Alertmanager's payloads twice creates no
 * duplicates. The incident timeline is written to test-artifacts/incident/timeline.json.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { webhookNotifier } from '../../../src/apps/incident/actions/notifier.js';
import { parseRunbook } from '../../../src/apps/incident/actions/runbook.js';
import { createIncidentRoutes } from '../../../src/apps/incident/http/incident-routes.js';
import { conduitLogSearch } from '../../../src/apps/incident/diagnosis/log-search.js';
import { SignalStore } from '../../../src/apps/incident/store/signal-store.js';
import type { IncidentView } from '../../../src/apps/incident/incident-service.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { openService, startReceiver, type Receiver, type ServiceBundle } from './support.js';

const PROMETHEUS = 'prometheus';
const ALERTMANAGER = 'prometheus-alertmanager';
const TOKEN = 'e2e-incident-token-0123456789';

function installed(bin: string): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Proc {
  child: ChildProcess;
  output: string[];
}

function start(bin: string, args: string[]): Proc {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  return { child, output };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (p === undefined || p.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const missing = [PROMETHEUS, ALERTMANAGER].filter((b) => !installed(b));

describe('incident end to end with real Prometheus and Alertmanager', () => {
  let dir: string;
  let db: SqlDatabase;
  let bundle: ServiceBundle;
  let gateway: Harness;
  let receiver: Receiver;
  let exporter: Server;
  let prometheus: Proc | undefined;
  let alertmanager: Proc | undefined;

  before(async () => {
    if (missing.length > 0) throw new Error(`${missing.join(' and ')} not installed: apt-get install -y prometheus prometheus-alertmanager (.ci/run does it)`);
    dir = await mkdtemp(join(tmpdir(), 'conduit-incident-e2e-'));
    receiver = await startReceiver();
    db = await openPGliteDatabase();
    // Risk: base 0.4 + production 0.2 + three hosts 0.1 + critical 0.1 = 0.8 ≥ 0.5: held for approval.
    const runbook = parseRunbook(
      [
        'id: restart-service',
        'title: Restart the saturated service',
        'match: { alertnames: [DemoHighCPU] }',
        'steps: [Check recent deploys, Restart one instance at a time]',
        `action: { name: restart-service, type: http, url: "${receiver.url}/remediate", body: { service: "{{service}}", incident: "{{incident_id}}" } }`,
        'risk: 0.4',
      ].join('\n'),
      'e2e',
    );
    bundle = await openService(db, { logs: [conduitLogSearch(new SignalStore(db))], notifiers: [webhookNotifier(`${receiver.url}/notify`)], runbooks: [runbook], allowedActions: ['restart-service'], correlation: { groupBy: ['service'] } });
    gateway = await startGateway({}, {}, { appRoutes: [createIncidentRoutes({ service: bundle.service, signals: bundle.signals, token: TOKEN })] });
    // Evidence for the diagnosis: a deploy a minute ago and error lines, pushed over HTTP.
    const push = (path: string, body: unknown) => fetch(`${gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await push('/v1/incidents/changes', { service: 'checkout', kind: 'deploy', description: 'checkout v2.4.1 (new image resizing worker pool)', at: new Date(Date.now() - 60_000).toISOString() })).status, 201);
    assert.equal((await push('/v1/incidents/logs', { lines: [{ service: 'checkout', level: 'error', message: 'ERROR worker pool saturated: 64/64 busy, queue 1200' }, { service: 'checkout', level: 'info', message: 'GET /cart 200' }] })).status, 201);

    // The exporter: three hosts of one service, all hot.
    exporter = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(['# TYPE demo_cpu_usage gauge', ...['web-1', 'web-2', 'web-3'].map((h) => `demo_cpu_usage{host="${h}",service="checkout"} 0.97`), ''].join('\n'));
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
    const exporterPort = (exporter.address() as AddressInfo).port;
    const [promPort, amPort] = [await freePort(), await freePort()];

    await writeFile(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: conduit',
        '  group_by: [alertname, service]',
        '  group_wait: 1s',
        '  group_interval: 2s',
        '  repeat_interval: 3s',
        'receivers:',
        '  - name: conduit',
        '    webhook_configs:',
        `      - url: ${gateway.url}/v1/incidents/alerts/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${TOKEN}`,
        // A copy of every payload, so the test can replay exactly what Alertmanager sent.
        `      - url: ${receiver.url}/alertmanager-copy`,
        '        send_resolved: true',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'rules.yml'),
      [
        'groups:',
        '  - name: demo',
        '    interval: 1s',
        '    rules:',
        '      - alert: DemoHighCPU',
        '        expr: demo_cpu_usage > 0.9',
        '        labels: { severity: critical, team: sre, env: prod }',
        '        annotations: { summary: "CPU at {{ $value }} on {{ $labels.host }}" }',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(join(dir, 'rules.yml'))}]`,
        `alerting: { alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:${amPort}"] } ] } ] }`,
        `scrape_configs: [ { job_name: demo, static_configs: [ { targets: ["127.0.0.1:${exporterPort}"] } ] } ]`,
      ].join('\n'),
    );
    await mkdir(join(dir, 'am-data'));
    await mkdir(join(dir, 'prom-data'));
    alertmanager = start(ALERTMANAGER, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=', // no gossip: a single loopback instance
    ]);
    prometheus = start(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--rules.alert.resend-delay=1s',
    ]);
  });

  after(async () => {
    await stop(prometheus);
    await stop(alertmanager);
    await gateway?.close();
    await bundle?.service.whenIdle();
    await receiver?.close();
    await new Promise<void>((r) => (exporter === undefined ? r() : exporter.close(() => r())));
    await db?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  const incidents = async (): Promise<{ id: string; alertCount: number }[]> => ((await api('GET', '/v1/incidents')).json as { data: { id: string; alertCount: number }[] }).data;
  const view = async (id: string): Promise<IncidentView> => (await api('GET', `/v1/incidents/${id}`)).json as IncidentView;

  test('a burst of alerts becomes one incident, one ticket, one notification; remediation waits for approval; replays change nothing', { timeout: 90_000 }, async () => {
    const t0 = Date.now();
    // Alertmanager's webhook reaches Conduit; all three hosts end up in one incident, pipeline done.
    const incidentId = await until(
      'one incident with three alerts and a pending approval',
      async () => {
        const list = await incidents();
        const i = list[0];
        if (i === undefined || i.alertCount < 3) return undefined;
        await bundle.service.whenIdle();
        const v = await view(i.id);
        return v.approvals.length === 1 ? i.id : undefined;
      },
      45_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n--- alertmanager ---\n${alertmanager?.output.join('').slice(-3000) ?? ''}\n--- prometheus ---\n${prometheus?.output.join('').slice(-3000) ?? ''}`);
    });
    const firstDelivery = Date.now() - t0;

    // Wait for Alertmanager to re-send the group (repeat_interval 3 s): a natural duplicate.
    const copies = () => receiver.received.filter((r) => r.path === '/alertmanager-copy');
    const seenCopies = copies().length;
    await until('a repeated Alertmanager delivery', async () => (copies().length > seenCopies ? true : undefined), 20_000);

    // Replay every payload Alertmanager sent, twice.
    const payloads = copies().map((c) => c.body);
    for (let round = 0; round < 2; round++) {
      for (const p of payloads) {
        const r = await api('POST', '/v1/incidents/alerts/alertmanager', p);
        assert.equal(r.status, 200);
        const outcomes = (r.json as { opened: string[]; outcomes: { outcome: string }[] });
        assert.deepEqual(outcomes.opened, []);
        assert.ok(outcomes.outcomes.every((o) => o.outcome === 'duplicate'), JSON.stringify(outcomes.outcomes));
      }
    }
    await bundle.service.whenIdle();

    // Exactly one incident, one ticket, one notification; the remediation has not run.
    const all = await incidents();
    assert.equal(all.length, 1, 'exactly one incident');
    let v = await view(incidentId);
    assert.equal(v.alerts.length, 3);
    assert.deepEqual(v.alerts.map((a) => a.labels.host).sort(), ['web-1', 'web-2', 'web-3']);
    assert.ok(v.alerts.every((a) => a.source === 'alertmanager' && a.repeats >= 2));
    assert.equal((await bundle.store.listTickets()).length, 1, 'exactly one ticket');
    assert.equal(v.actions.filter((a) => a.kind === 'ticket').length, 1);
    const notifications = receiver.received.filter((r) => r.path === '/notify');
    assert.equal(notifications.length, 1, 'exactly one notification');
    assert.equal((notifications[0]?.body as { incident: { severity: string; team: string } }).incident.team, 'sre');
    const remediation = v.actions.find((a) => a.kind === 'remediation');
    assert.equal(remediation?.status, 'awaiting_approval');
    assert.ok((remediation?.riskScore ?? 0) >= 0.5);
    assert.equal(receiver.received.filter((r) => r.path === '/remediate').length, 0, 'held until approved');

    // Without the token the approval route refuses.
    const anonymous = await fetch(`${gateway.url}/v1/incidents/${incidentId}/approvals/${v.approvals[0]?.approvalId}`, { method: 'POST', body: '{"decision":"approve"}', headers: { 'content-type': 'application/json' } });
    assert.equal(anonymous.status, 401);

    // Approve over HTTP: the remediation runs, once.
    const approval = await api('POST', `/v1/incidents/${incidentId}/approvals/${v.approvals[0]?.approvalId}`, { decision: 'approve', by: 'oncall@example.com', reason: 'CPU pinned, restart is safe' });
    assert.equal(approval.status, 200);
    assert.equal((approval.json as { action: { status: string } }).action.status, 'executed');
    const again = await api('POST', `/v1/incidents/${incidentId}/approvals/${v.approvals[0]?.approvalId}`, { decision: 'approve' });
    assert.equal(again.status, 200);
    const remediations = receiver.received.filter((r) => r.path === '/remediate');
    assert.equal(remediations.length, 1);
    assert.deepEqual(remediations[0]?.body, { service: 'checkout', incident: incidentId });

    v = await view(incidentId);
    assert.equal(v.approvals[0]?.status, 'approved');
    const types = v.timeline.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'incident_opened').length, 1);
    assert.equal(types.filter((t) => t === 'ticket_created').length, 1);
    assert.equal(types.filter((t) => t === 'notification_sent').length, 1);
    assert.ok(types.indexOf('approval_requested') < types.indexOf('approval_decided'));
    assert.ok(types.indexOf('approval_decided') < types.indexOf('remediation_executed'));
    // The diagnosis found the deploy and the error line.
    const findings = v.timeline.filter((e) => e.type === 'finding').map((e) => String(e.data.text));
    assert.ok(findings.some((f) => f.includes('deploy of checkout')), findings.join('\n'));
    assert.ok(findings.some((f) => f.includes('worker pool saturated')), findings.join('\n'));

    // The approval decision is in the hash-chained audit log.
    const page = await bundle.audit.query({ action: 'agent.approval.decide' });
    assert.equal(page.entries.length, 1);

    await mkdir('test-artifacts/incident', { recursive: true });
    await writeFile('test-artifacts/incident/timeline.json', `${JSON.stringify({ firstDeliveryMs: firstDelivery, alertmanagerDeliveries: copies().length, replays: payloads.length * 2, ...v }, null, 2)}\n`);
  });
});
