/**
 * The done-when test of issue 7, with the real Prometheus and Alertmanager (Debian's `prometheus`
 * and `prometheus-alertmanager`, installed by .ci/run): a test exporter makes a rule fire for
 * three hosts of one service, Alertmanager delivers its webhook to a real gateway, and Conduit
 * opens exactly one incident, files one ticket, sends one notification and holds the risky
 * remediation until an operator approves it in the console: the operator console is mounted in
 * front of the same gateway (master-key login), and headless Chromium (playwright-core) logs in,
 * opens the incident and presses Approve, which posts `/console/api/incidents/{id}/approvals/{id}`
 * with the session cookie. Replaying Alertmanager's payloads twice creates no duplicates. The
 * incident timeline is written to test-artifacts/incident/timeline.json, and the approved incident
 * page to test-artifacts/incident/approved-in-console.png.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { webhookNotifier } from '../../../src/apps/incident/actions/notifier.js';
import { parseRunbook } from '../../../src/apps/incident/actions/runbook.js';
import { createIncidentRoutes } from '../../../src/apps/incident/http/incident-routes.js';
import { conduitLogSearch } from '../../../src/apps/incident/diagnosis/log-search.js';
import { SignalStore } from '../../../src/apps/incident/store/signal-store.js';
import type { IncidentView } from '../../../src/apps/incident/incident-service.js';
import { createConsole, createLiveStats, incidentsFromService, mountConsole, SESSION_COOKIE } from '../../../src/console/index.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { MASTER, consoleCall } from '../../console/support.js';
import { CHROMIUM } from '../../console/browser-support.js';
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
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    if (missing.length > 0) throw new Error(`${missing.join(' and ')} not installed: apt-get install -y prometheus prometheus-alertmanager (.ci/run does it)`);
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CONDUIT_CHROMIUM`);
    dir = await mkdtemp(join(tmpdir(), 'conduit-incident-e2e-'));
    await mkdir('test-artifacts/incident', { recursive: true });
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
    // The operator console in front of the same gateway, as `conduit serve` mounts it: master-key
    // login, and approvals decided by the incident service itself (checked, audited, run once).
    mountConsole(
      gateway.gateway.server,
      createConsole({ masterKey: MASTER, live: createLiveStats({ metrics: gateway.gateway.metrics }), resolver: gateway.resolver, incidents: incidentsFromService(bundle.service) }),
    );
    // Started now so Chromium's launch overlaps the wait for Prometheus and Alertmanager.
    const launching = chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
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
    browser = await launching;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
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

    const approvalId = v.approvals[0]?.approvalId ?? '';
    const approvalPath = `incidents/${incidentId}/approvals/${approvalId}`;

    // Without credentials nothing can decide: neither the incident route without its token, nor the console without a session.
    const anonymous = await fetch(`${gateway.url}/v1/incidents/${incidentId}/approvals/${approvalId}`, { method: 'POST', body: '{"decision":"approve"}', headers: { 'content-type': 'application/json' } });
    assert.equal(anonymous.status, 401);
    const noSession = await consoleCall(gateway.url, approvalPath, { body: { decision: 'approve' }, headers: { origin: gateway.url } });
    assert.equal(noSession.status, 401);
    assert.equal(receiver.received.filter((r) => r.path === '/remediate').length, 0, 'still held');

    // Approve in the console: log in with the master key, open the incident, press Approve, confirm with a reason.
    const tBrowser = Date.now();
    await page.goto(`${gateway.url}/console/#/incidents/${incidentId}`);
    await page.getByLabel('Master key').fill(MASTER);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator(`[data-incident-approval="${approvalId}"]`).waitFor();
    assert.equal(await page.locator('[data-incident-approval]').count(), 1);
    assert.equal(receiver.received.filter((r) => r.path === '/remediate').length, 0, 'held while the page shows it');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason (optional)').fill('CPU pinned, restart is safe');
    const decided = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/console/api/${approvalPath}`));
    await dialog.getByRole('button', { name: 'Approve and run' }).click();
    const decision = await decided;
    assert.equal(decision.status(), 200);
    assert.equal(((await decision.json()) as { action: { status: string } }).action.status, 'executed');
    await page.locator('[data-pending-approvals="0"]').waitFor();
    await page.locator('.timeline li[data-event="remediation_executed"]').waitFor();
    await page.getByText('Approved by admin: CPU pinned, restart is safe').waitFor();
    await page.screenshot({ path: 'test-artifacts/incident/approved-in-console.png', fullPage: true });
    const browserMs = Date.now() - tBrowser;

    // The same decision sent again with the page's session, as the button sends it: answered, nothing runs twice.
    const session = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    assert.ok(session, 'the console login set its session cookie');
    const again = await consoleCall(gateway.url, approvalPath, { body: { decision: 'approve' }, cookie: `${session.name}=${session.value}`, headers: { origin: gateway.url } });
    assert.equal(again.status, 200);
    await bundle.service.whenIdle();
    const remediations = receiver.received.filter((r) => r.path === '/remediate');
    assert.equal(remediations.length, 1);
    assert.deepEqual(remediations[0]?.body, { service: 'checkout', incident: incidentId });

    v = await view(incidentId);
    assert.equal(v.approvals[0]?.status, 'approved');
    assert.equal(v.approvals[0]?.decidedBy, 'admin', 'decided by the console operator');
    assert.equal(v.approvals[0]?.reason, 'CPU pinned, restart is safe');
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
    const decisions = await bundle.audit.query({ action: 'agent.approval.decide' });
    assert.equal(decisions.entries.length, 1);
    assert.equal(decisions.entries[0]?.actor, 'admin', 'the console operator is named in the audit log');

    await writeFile('test-artifacts/incident/timeline.json', `${JSON.stringify({ firstDeliveryMs: firstDelivery, alertmanagerDeliveries: copies().length, replays: payloads.length * 2, approvedInConsoleMs: browserMs, ...v }, null, 2)}\n`);
  });
});
