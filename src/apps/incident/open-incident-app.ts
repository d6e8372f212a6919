/**
 * Builds the incident application from the `incident:` config section over one database: stores,
 * approvals (the agents' run store), audit log, runbooks, ticket sinks, notifiers, diagnosis
 * sources and memory. `conduit serve` and `conduit incident serve` both use it.
 */
import { resolve as resolvePath } from 'node:path';
import type { Registry } from 'prom-client';
import type { AuditLog } from '../../audit/index.js';
import { createAuditLog } from '../../audit/index.js';
import { createSqlRunStore } from '../../agents/runs/sql-run-store.js';
import { createSemanticMemory } from '../../agents/memory/semantic-memory.js';
import { createSqlRecordStore } from '../../agents/memory/sql-record-store.js';
import type { IncidentConfig } from '../../config/schema.js';
import type { EmbeddingModel, LanguageModel } from '../../models/language-model.js';
import type { SqlDatabase } from '../../store/sql.js';
import { jiraTicketSink, conduitTicketSink, type TicketSink } from './actions/ticket-sink.js';
import { slackNotifier, webhookNotifier, type Notifier } from './actions/notifier.js';
import { loadRunbooks, type Runbook } from './actions/runbook.js';
import { conduitLogSearch, elasticsearchLogSearch, lokiLogSearch, type LogSearch } from './diagnosis/log-search.js';
import { prometheusClient } from './diagnosis/prometheus-client.js';
import { IncidentMetrics } from './incident-metrics.js';
import { IncidentService } from './incident-service.js';
import type { JsonAlertMapping } from './ingest/json-mapping.js';
import { IncidentStore } from './store/incident-store.js';
import { SignalStore } from './store/signal-store.js';

export interface OpenIncidentAppOptions {
  config: IncidentConfig;
  db: SqlDatabase;
  cwd: string;
  /** Shared audit log (the gateway's); absent: one is opened on `db`. */
  audit?: AuditLog;
  /** Resolved `incident.model`; absent: rule-based. */
  model?: LanguageModel;
  /** For similar-incident memory; absent: no memory. */
  embedder?: EmbeddingModel;
  /** Where the MTTA/MTTR metrics are registered (the gateway's `/metrics` registry). */
  metricsRegistry?: Registry;
  onError?: (err: unknown, step: string) => void;
}

export interface IncidentApp {
  service: IncidentService;
  store: IncidentStore;
  signals: SignalStore;
  runbooks: Runbook[];
  jsonMapping: JsonAlertMapping | undefined;
}

export function jsonMappingOf(config: IncidentConfig): JsonAlertMapping | undefined {
  const m = config.json_mapping;
  if (m === undefined) return undefined;
  return {
    name: m.name,
    ...(m.status === undefined ? {} : { status: m.status }),
    ...(m.severity === undefined ? {} : { severity: m.severity }),
    ...(m.labels === undefined ? {} : { labels: m.labels }),
    ...(m.annotations === undefined ? {} : { annotations: m.annotations }),
    ...(m.fingerprint === undefined ? {} : { fingerprint: m.fingerprint }),
    ...(m.starts_at === undefined ? {} : { startsAt: m.starts_at }),
    ...(m.ends_at === undefined ? {} : { endsAt: m.ends_at }),
    ...(m.summary === undefined ? {} : { summary: m.summary }),
    ...(m.resolved_values === undefined ? {} : { resolvedValues: m.resolved_values }),
  };
}

export async function openIncidentApp(options: OpenIncidentAppOptions): Promise<IncidentApp> {
  const { config, db } = options;
  const store = await IncidentStore.open(db);
  const signals = new SignalStore(db);
  const runs = await createSqlRunStore({ db });
  const audit = options.audit ?? (await createAuditLog({ db }));
  const runbooks = config.remediation.runbooks_dir === undefined ? [] : await loadRunbooks(resolvePath(options.cwd, config.remediation.runbooks_dir));

  const tickets: TicketSink[] = [];
  if (config.tickets.conduit) tickets.push(conduitTicketSink(store));
  const jira = config.tickets.jira;
  if (jira !== undefined) tickets.push(jiraTicketSink({ url: jira.url, project: jira.project, issueType: jira.issue_type, email: jira.email, apiToken: jira.api_token }));

  const notifiers: Notifier[] = [];
  if (config.notifications.slack_webhook_url !== undefined) notifiers.push(slackNotifier(config.notifications.slack_webhook_url));
  if (config.notifications.webhook_url !== undefined) notifiers.push(webhookNotifier(config.notifications.webhook_url, config.notifications.webhook_headers));

  const d = config.diagnosis;
  const logs: LogSearch[] = [];
  if (d.loki !== undefined) logs.push(lokiLogSearch({ url: d.loki.url, serviceLabel: d.loki.service_label }));
  if (d.elasticsearch !== undefined) {
    const es = d.elasticsearch;
    logs.push(
      elasticsearchLogSearch({
        url: es.url,
        index: es.index,
        ...(es.timestamp_field === undefined ? {} : { timestampField: es.timestamp_field }),
        ...(es.message_field === undefined ? {} : { messageField: es.message_field }),
        ...(es.service_field === undefined ? {} : { serviceField: es.service_field }),
      }),
    );
  }
  if (d.conduit_logs) logs.push(conduitLogSearch(signals));
  const memory = d.memory && options.embedder !== undefined ? createSemanticMemory({ store: await createSqlRecordStore(db), embedder: options.embedder }) : undefined;

  const c = config.correlation;
  const service = new IncidentService({
    store,
    signals,
    runs,
    audit,
    correlation: { groupBy: c.group_by, windowMs: c.window_ms, flapThreshold: c.flap_threshold, flapWindowMs: c.flap_window_ms, shortLivedMs: c.short_lived_ms, noiseThreshold: c.noise_threshold, muteAlerts: c.mute_alerts },
    ...(options.model === undefined ? {} : { model: options.model }),
    tickets,
    notifiers,
    teamLabel: config.notifications.team_label,
    runbooks,
    allowedActions: config.remediation.allowed_actions,
    approvalThreshold: config.remediation.approval_threshold,
    logs,
    ...(d.prometheus_url === undefined ? {} : { prometheus: prometheusClient(d.prometheus_url) }),
    ...(memory === undefined ? {} : { memory }),
    diagnosis: { enabled: d.enabled, maxSteps: d.max_steps },
    metrics: new IncidentMetrics(options.metricsRegistry),
    ...(config.public_url === undefined ? {} : { publicUrl: config.public_url }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  return { service, store, signals, runbooks, jsonMapping: jsonMappingOf(config) };
}
