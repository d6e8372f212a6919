/** Adapters and pure parts: Jira, Slack, Loki, Elasticsearch, Prometheus, parsing, noise, runbooks, the example. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jiraTicketSink } from '../../../src/apps/incident/actions/ticket-sink.js';
import { slackMessage, slackNotifier } from '../../../src/apps/incident/actions/notifier.js';
import { loadRunbooks, parseRunbook, runbookMatches } from '../../../src/apps/incident/actions/runbook.js';
import { executeRemediation } from '../../../src/apps/incident/actions/remediation-executor.js';
import { assessRisk } from '../../../src/apps/incident/actions/risk-score.js';
import { elasticsearchLogSearch, lokiLogSearch } from '../../../src/apps/incident/diagnosis/log-search.js';
import { prometheusClient } from '../../../src/apps/incident/diagnosis/prometheus-client.js';
import { parseAlertmanagerPayload } from '../../../src/apps/incident/ingest/alertmanager.js';
import { scoreNoise } from '../../../src/apps/incident/correlation/noise-score.js';
import { DEFAULT_CORRELATION } from '../../../src/apps/incident/correlation/correlation-settings.js';
import { parseConfigText } from '../../../src/config/index.js';
import { alert, startReceiver, type Receiver } from './support.js';

const notice = { incidentId: 'inc_1', key: 'INC-1', title: 'CPU on checkout', severity: 'critical', services: ['checkout'], team: 'sre', summary: ['CPU spikes on 3 hosts'], ticket: 'OPS-7', url: 'http://c/v1/incidents/inc_1', method: 'rules' };

describe('incident adapters', () => {
  let fake: Receiver;
  before(async () => {
    fake = await startReceiver((r) => {
      if (r.path === '/rest/api/2/issue') return { id: '10001', key: 'OPS-456', self: 'x' };
      if (r.path.startsWith('/loki/api/v1/query_range')) {
        return { status: 'success', data: { resultType: 'streams', result: [{ stream: { service: 'checkout', level: 'error' }, values: [['1764000000000000000', 'ERROR pool saturated'], ['1764000001000000000', 'ERROR again']] }] } };
      }
      if (r.path.startsWith('/logs-')) return { hits: { hits: [{ _source: { '@timestamp': '2026-01-01T00:00:00Z', message: 'timeout calling db', service: { name: 'checkout' }, log: { level: 'error' } } }] } };
      if (r.path.startsWith('/api/v1/query_range')) return { status: 'success', data: { resultType: 'matrix', result: [{ metric: { host: 'a' }, values: [[1, '0.5'], [2, '0.9']] }] } };
      if (r.path.startsWith('/api/v1/query')) return { status: 'success', data: { resultType: 'vector', result: [{ metric: { host: 'a' }, value: [2, '0.9'] }] } };
      return { ok: true };
    });
  });
  after(() => fake.close());

  test('Jira: POST /rest/api/2/issue with basic auth, project, type, priority; returns the key', async () => {
    const sink = jiraTicketSink({ url: `${fake.url}/`, project: 'OPS', email: 'bot@example.com', apiToken: 'tok' });
    const filed = await sink.file({ incidentId: 'inc_1', title: 'CPU', description: 'd', severity: 'critical' });
    assert.deepEqual(filed, { system: 'jira', key: 'OPS-456', url: `${fake.url}/browse/OPS-456` });
    const req = fake.received.find((r) => r.path === '/rest/api/2/issue');
    assert.equal(req?.headers.authorization, `Basic ${Buffer.from('bot@example.com:tok').toString('base64')}`);
    const fields = (req?.body as { fields: Record<string, { key?: string; name?: string }> }).fields;
    assert.equal(fields.project?.key, 'OPS');
    assert.equal(fields.issuetype?.name, 'Incident');
    assert.equal(fields.priority?.name, 'Highest');
  });

  test('Slack: incoming-webhook text and blocks; a failing webhook throws with the status', async () => {
    const m = slackMessage(notice);
    assert.match(String(m.text), /\[CRITICAL\] INC-1: CPU on checkout/);
    assert.ok(JSON.stringify(m.blocks).includes('rules (no model)'));
    await slackNotifier(`${fake.url}/slack`).send(notice);
    assert.equal((fake.received.find((r) => r.path === '/slack')?.body as { text: string }).text, m.text);
    fake.status = 500;
    await assert.rejects(slackNotifier(`${fake.url}/slack`).send(notice), /answered 500/);
    fake.status = 200;
  });

  test('Loki, Elasticsearch and Prometheus HTTP APIs', async () => {
    const since = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-01-01T01:00:00Z');
    const loki = await lokiLogSearch({ url: fake.url }).search({ text: 'error', service: 'checkout', since, until, limit: 10 });
    assert.equal(loki.length, 2);
    assert.equal(loki[0]?.message, 'ERROR again');
    const lokiReq = new URL(fake.received.find((r) => r.path.startsWith('/loki'))?.path ?? '', 'http://x');
    assert.equal(lokiReq.searchParams.get('query'), '{service="checkout"} |~ "(?i)error"');
    assert.equal(lokiReq.searchParams.get('start'), `${since.getTime()}000000`);
    const es = await elasticsearchLogSearch({ url: fake.url, index: 'logs-*' }).search({ text: 'timeout', service: 'checkout', since, until, limit: 5 });
    assert.deepEqual(es[0], { at: '2026-01-01T00:00:00Z', service: 'checkout', level: 'error', message: 'timeout calling db', labels: {} });
    const esBody = fake.received.find((r) => r.path.startsWith('/logs-'))?.body as { size: number; query: { bool: { filter: unknown[] } } };
    assert.equal(esBody.size, 5);
    assert.deepEqual(esBody.query.bool.filter[1], { term: { 'service.name': 'checkout' } });
    const prom = prometheusClient(fake.url);
    assert.deepEqual(await prom.query('up'), [{ metric: { host: 'a' }, values: [[2, '0.9']] }]);
    const range = await prom.queryRange('up', since, until, 60);
    assert.equal(range[0]?.values.length, 2);
    assert.ok(fake.received.some((r) => r.path.includes('/api/v1/query_range?') && r.path.includes('step=60')));
  });

  test('Alertmanager parsing keeps its fingerprint, drops the zero end time; noise scoring explains itself', () => {
    const alerts = parseAlertmanagerPayload({
      version: '4', groupKey: 'g', status: 'firing', receiver: 'r', alerts: [{ status: 'firing', labels: { alertname: 'A', severity: 'page' }, startsAt: '2026-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'abc123' }],
    });
    assert.equal(alerts[0]?.fingerprint, 'abc123');
    assert.equal(alerts[0]?.severity, 'critical');
    assert.equal(alerts[0]?.endsAt, undefined);
    const shortLived = scoreNoise(alert('Blip', { severity: 'info' }, { status: 'resolved', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-01T00:00:20Z' }), { recentFirings: 1 }, DEFAULT_CORRELATION);
    assert.equal(shortLived.muted, true);
    assert.deepEqual(shortLived.reasons.map((r) => r.signal), ['informational', 'short_lived']);
    const criticalFlap = scoreNoise(alert('Down', { severity: 'critical' }), { recentFirings: 4 }, DEFAULT_CORRELATION);
    assert.equal(criticalFlap.score, 0.5);
    assert.equal(criticalFlap.muted, false, 'a flapping critical alert is not muted on that alone');
  });

  test('runbooks: validation, matching, risk, allow-list at execution; the example runbooks and config load', async () => {
    assert.throws(() => parseRunbook('id: x\ntitle: t\naction: { name: a, type: http }\n', 'bad.yaml'), /bad.yaml: .*http action needs a url/);
    assert.throws(() => parseRunbook('id: X Y\ntitle: t\n', 'bad2.yaml'), /bad2.yaml: id/);
    const rb = parseRunbook('id: r\ntitle: t\nmatch: { alertnames: [A], labels: { env: prod } }\naction: { name: act, type: noop, body: { who: "{{label.host}}" } }\nrisk: 0.3\n', 'r');
    assert.equal(runbookMatches(rb, { alertNames: ['A'], category: null, labels: [{ env: 'prod' }] }), true);
    assert.equal(runbookMatches(rb, { alertNames: ['A'], category: null, labels: [{ env: 'dev' }] }), false);
    assert.deepEqual(assessRisk(rb, { severity: 'warning', labels: [{ env: 'prod', host: 'a' }, { env: 'prod', host: 'b' }] }).score, 0.6);
    const action = rb.action;
    assert.ok(action !== undefined);
    await assert.rejects(executeRemediation(action, [], { incidentId: 'i', service: 's', severity: 'warning', labels: {} }), /not in incident.remediation.allowed_actions/);
    const ran = await executeRemediation(action, ['act'], { incidentId: 'i', service: 's', severity: 'warning', labels: { host: 'h1' } });
    assert.deepEqual(ran.output, { dryRun: true, body: { who: 'h1' } });

    const examples = fileURLToPath(new URL('../../../examples/incident/', import.meta.url));
    const runbooks = await loadRunbooks(`${examples}runbooks`);
    assert.deepEqual(runbooks.map((r) => r.id).sort(), ['disk-full', 'restart-service', 'rollback-deploy', 'scale-out']);
    const config = parseConfigText(readFileSync(`${examples}conduit.yaml`, 'utf8'), { source: 'examples/incident/conduit.yaml', env: {} });
    assert.equal(config.incident?.webhook_token, 'example-incident-token-change-me');
    assert.deepEqual(config.incident?.remediation.allowed_actions, ['restart-service', 'scale-out', 'rollback-deploy']);
    const allowed = new Set(config.incident?.remediation.allowed_actions);
    assert.equal(runbooks.filter((r) => r.action !== undefined && !allowed.has(r.action.name)).map((r) => r.id).join(), 'disk-full', 'the example shows one blocked runbook');
  });
});
