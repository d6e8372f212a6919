/**
 * The incident agent for the console tests: the real incident service on the console gateway's
 * database, its `/v1/incidents` routes on a gateway of their own (Alertmanager delivers there,
 * with a bearer token), a risky runbook whose remediation calls a local webhook receiver, and an
 * Alertmanager v4 payload builder for a burst of related alerts.
 */
import type { SqlDatabase } from '../../src/store/sql.js';
import { createIncidentRoutes } from '../../src/apps/incident/http/incident-routes.js';
import { webhookNotifier } from '../../src/apps/incident/actions/notifier.js';
import { parseRunbook } from '../../src/apps/incident/actions/runbook.js';
import type { IncidentService } from '../../src/apps/incident/incident-service.js';
import type { AuditLog } from '../../src/audit/index.js';
import { startGateway, type Harness } from '../gateway/harness.js';
import { openService, startReceiver, type Receiver } from '../apps/incident/support.js';

export const INCIDENT_TOKEN = 'console-incident-token-0123456789';
export const REMEDIATION_PATH = '/remediate';

export interface IncidentApp {
  service: IncidentService;
  /** The audit log the service writes decisions to. */
  audit: AuditLog;
  /** Base URL of the gateway serving `/v1/incidents` (bearer INCIDENT_TOKEN). */
  url: string;
  /** Records notifications (`/notify`) and remediation calls (REMEDIATION_PATH). */
  receiver: Receiver;
  gateway: Harness;
  close(): Promise<void>;
}

export async function startIncidentApp(db: SqlDatabase): Promise<IncidentApp> {
  const receiver = await startReceiver();
  // base 0.4 + env=prod 0.2 + three hosts 0.1 + critical 0.1 = 0.8, above the 0.5 threshold: held for approval.
  const runbook = parseRunbook(
    `id: restart-checkout\ntitle: Restart checkout\nmatch: { alertnames: [HighErrorRate] }\nsteps: [Check the last deploy, Restart the pods]\naction: { name: restart-service, type: http, url: ${receiver.url}${REMEDIATION_PATH}, body: { service: "{{service}}", incident: "{{incident_id}}" } }\nrisk: 0.4\n`,
    'console-test',
  );
  const { service, signals, audit } = await openService(db, { notifiers: [webhookNotifier(`${receiver.url}/notify`)], runbooks: [runbook], allowedActions: ['restart-service'] });
  const gateway = await startGateway({}, {}, { appRoutes: [createIncidentRoutes({ service, signals, token: INCIDENT_TOKEN })] });
  return {
    service,
    audit,
    url: gateway.url,
    receiver,
    gateway,
    async close() {
      await gateway.close();
      await service.whenIdle();
      await receiver.close();
    },
  };
}

/** An Alertmanager v4 webhook: HighErrorRate on `hosts` instances of service checkout in prod. */
export function alertmanagerBurst(hosts: readonly string[], alertname = 'HighErrorRate', service = 'checkout'): unknown {
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'conduit',
    groupLabels: { alertname },
    commonLabels: { alertname, service, env: 'prod', severity: 'critical', team: 'payments' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.test',
    alerts: hosts.map((host) => ({
      status: 'firing',
      labels: { alertname, service, env: 'prod', severity: 'critical', team: 'payments', instance: `${host}:9100` },
      annotations: { summary: `5xx rate above 5% on ${host}` },
      startsAt: '2026-11-25T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.test/graph',
      fingerprint: '',
    })),
  };
}

/** Delivers a payload as Alertmanager does (POST with the bearer token); returns the ingestion result. */
export async function deliverAlerts(app: IncidentApp, payload: unknown): Promise<{ opened: string[]; outcomes: { outcome: string }[] }> {
  const res = await fetch(`${app.url}/v1/incidents/alerts/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INCIDENT_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  if (res.status !== 200) throw new Error(`alert delivery failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { opened: string[]; outcomes: { outcome: string }[] };
  await app.service.whenIdle();
  return body;
}
