/** Shared pieces of the incident tests: a recording HTTP receiver, a service over a database, alerts. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditLog, type AuditLog } from '../../../src/audit/index.js';
import { createSqlRunStore } from '../../../src/agents/runs/sql-run-store.js';
import type { RunStore } from '../../../src/agents/runs/run-store.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { IncidentService, type IncidentServiceOptions } from '../../../src/apps/incident/incident-service.js';
import { IncidentStore } from '../../../src/apps/incident/store/incident-store.js';
import { SignalStore } from '../../../src/apps/incident/store/signal-store.js';
import { fingerprintOf, normaliseSeverity, type Alert } from '../../../src/apps/incident/alert.js';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer with (default 200). */
  status: number;
  close(): Promise<void>;
}

/** A local HTTP server that records every request (webhook notifications, remediation calls, Jira). */
export async function startReceiver(answer: (r: Received) => unknown = () => ({ ok: true })): Promise<Receiver> {
  const received: Received[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        /* keep text */
      }
      const r = { path: req.url ?? '', headers: req.headers, body };
      received.push(r);
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(r)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get status() {
      return state.status;
    },
    set status(s: number) {
      state.status = s;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ServiceBundle {
  service: IncidentService;
  store: IncidentStore;
  signals: SignalStore;
  runs: RunStore;
  audit: AuditLog;
}

export async function openService(db: SqlDatabase, options: Partial<IncidentServiceOptions> = {}): Promise<ServiceBundle> {
  const store = await IncidentStore.open(db);
  const signals = new SignalStore(db);
  const runs = await createSqlRunStore({ db });
  const audit = await createAuditLog({ db });
  const service = new IncidentService({ store, signals, runs, audit, ...options });
  return { service, store, signals, runs, audit };
}

export function alert(name: string, labels: Record<string, string> = {}, extra: Partial<Alert> = {}): Alert {
  const all: Record<string, string> = { alertname: name, ...labels };
  return {
    fingerprint: fingerprintOf(all),
    name,
    status: 'firing',
    severity: normaliseSeverity(all.severity),
    labels: all,
    annotations: {},
    startsAt: '2026-01-01T00:00:00.000Z',
    source: 'test',
    ...extra,
  };
}
