/**
 * The incident pipeline: ingest → correlate (dedupe, group, mute noise) → on a new incident
 * classify, file a ticket, notify, propose remediation (held for approval above the risk
 * threshold) and diagnose → learn from the resolution. Every action is idempotent per incident,
 * so replayed webhooks never file a second ticket or send a second notification, and everything
 * that acts on the outside world is written to the audit log.
 */
import { randomUUID } from 'node:crypto';
import { ConduitError } from '../../core/errors.js';
import type { AuditLog } from '../../audit/index.js';
import type { RunStore } from '../../agents/runs/run-store.js';
import type { ApprovalRecord } from '../../agents/runs/run-store.js';
import type { ApprovalDecision } from '../../agents/runs/run-event.js';
import { auditApprovalDecision, approvalOutcome } from '../../agents/approvals/approval-audit.js';
import type { SemanticMemory } from '../../agents/memory/index.js';
import type { LanguageModel } from '../../models/language-model.js';
import { mostSevere, servicesOf, type Alert } from './alert.js';
import { DEFAULT_CORRELATION, type CorrelationSettings } from './correlation/correlation-settings.js';
import { groupKeyOf } from './correlation/group-key.js';
import { scoreNoise, type NoiseVerdict } from './correlation/noise-score.js';
import { classifyIncident } from './classify/classify-incident.js';
import type { IncidentSummary } from './classify/incident-summary.js';
import { conduitTicketSink, type TicketSink } from './actions/ticket-sink.js';
import type { Notifier } from './actions/notifier.js';
import { runbookMatches, type Runbook } from './actions/runbook.js';
import { assessRisk } from './actions/risk-score.js';
import { executeRemediation } from './actions/remediation-executor.js';
import { diagnose } from './diagnosis/diagnose.js';
import { incidentDescription, rememberResolution } from './diagnosis/incident-memory.js';
import type { LogSearch } from './diagnosis/log-search.js';
import type { PrometheusClient } from './diagnosis/prometheus-client.js';
import type { IncidentMetrics } from './incident-metrics.js';
import type { IncidentStore, ListIncidentsQuery } from './store/incident-store.js';
import type { SignalStore } from './store/signal-store.js';
import type { ActionRecord, AlertOccurrence, IncidentRecord, TimelineEvent } from './store/incident-records.js';

export const REMEDIATION_AGENT = 'incident-remediation';
/** Risk at or above which a remediation waits for a human. */
export const DEFAULT_APPROVAL_THRESHOLD = 0.5;

export interface IncidentServiceOptions {
  store: IncidentStore;
  signals: SignalStore;
  /** Where remediation approvals live (the agents' approvals, so they share storage and audit semantics). */
  runs: RunStore;
  audit: AuditLog;
  correlation?: Partial<CorrelationSettings>;
  /** Absent or offline: rule-based classification and evidence-only diagnosis. */
  model?: LanguageModel;
  /** Default: Conduit's own ticket store. */
  tickets?: TicketSink[];
  notifiers?: Notifier[];
  /** Label naming the owning team (default `team`). */
  teamLabel?: string;
  runbooks?: Runbook[];
  /** Runbook action names that may ever run. Empty: nothing runs, every proposal is blocked. */
  allowedActions?: string[];
  approvalThreshold?: number;
  logs?: LogSearch[];
  prometheus?: PrometheusClient;
  memory?: SemanticMemory;
  diagnosis?: { enabled?: boolean; maxSteps?: number };
  metrics?: IncidentMetrics;
  /** Base URL for links in notifications, e.g. https://conduit.example.com */
  publicUrl?: string;
  clock?: () => Date;
  /** Failures of background steps (the pipeline after ingestion) go here; default: ignored after being recorded in the timeline. */
  onError?: (err: unknown, step: string) => void;
}

export type AlertOutcomeKind = 'opened' | 'attached' | 'duplicate' | 'muted' | 'resolved' | 'refired' | 'ignored_resolved';

export interface AlertOutcome {
  fingerprint: string;
  name: string;
  outcome: AlertOutcomeKind;
  incidentId: string | null;
  noise?: NoiseVerdict;
}

export interface IngestResult {
  received: number;
  /** Incidents this batch opened. */
  opened: string[];
  outcomes: AlertOutcome[];
}

export interface IncidentView {
  incident: IncidentRecord;
  alerts: AlertOccurrence[];
  actions: ActionRecord[];
  approvals: ApprovalRecord[];
  timeline: TimelineEvent[];
}

export interface ApprovalResult {
  approval: ApprovalRecord;
  action: ActionRecord;
}

export class IncidentService {
  private readonly settings: CorrelationSettings;
  private readonly clock: () => Date;
  private readonly tickets: TicketSink[];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: IncidentServiceOptions) {
    this.settings = { ...DEFAULT_CORRELATION, ...o.correlation };
    this.clock = o.clock ?? (() => new Date());
    this.tickets = o.tickets ?? [conduitTicketSink(o.store, this.clock)];
  }

  /** Resolves when the background pipelines started so far have finished (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  // ---- ingestion and correlation ----

  async ingest(alerts: readonly Alert[]): Promise<IngestResult> {
    const s = this.settings;
    const now = this.clock();
    const at = now.toISOString();
    const opened: string[] = [];
    const outcomes = await this.o.store.withCorrelationLock(async (tx) => {
      const out: AlertOutcome[] = [];
      for (const alert of alerts) {
        const base = { fingerprint: alert.fingerprint, name: alert.name };
        const seen = await this.o.store.findOccurrence(tx, alert);
        if (seen !== undefined) {
          await this.o.store.touchOccurrence(tx, seen, alert, at);
          const changed = seen.status !== alert.status;
          if (changed && seen.incidentId !== null) {
            await this.o.store.appendEvent(tx, seen.incidentId, alert.status === 'resolved' ? 'alert_resolved' : 'alert', { fingerprint: alert.fingerprint, name: alert.name, status: alert.status, endsAt: alert.endsAt ?? null }, at);
          }
          out.push({ ...base, outcome: !changed ? 'duplicate' : alert.status === 'resolved' ? 'resolved' : 'refired', incidentId: seen.incidentId });
          continue;
        }
        const startsAt = alert.startsAt ?? at;
        const recentFirings = (await this.o.store.countFiringsSince(tx, alert.fingerprint, new Date(now.getTime() - s.flapWindowMs).toISOString())) + 1;
        const noise = scoreNoise(alert, { recentFirings }, s);
        const groupKey = groupKeyOf(alert, s.groupBy);
        let incident = noise.muted ? undefined : await this.o.store.findOpenIncident(tx, groupKey, new Date(now.getTime() - s.windowMs).toISOString());
        if (!noise.muted && incident === undefined && alert.status === 'resolved') {
          // Already over and nothing open for it: keep the record, open nothing.
          await this.o.store.insertOccurrence(tx, alert, { incidentId: null, startsAt, at, noise });
          out.push({ ...base, outcome: 'ignored_resolved', incidentId: null, noise });
          continue;
        }
        if (noise.muted) {
          await this.o.store.insertOccurrence(tx, alert, { incidentId: null, startsAt, at, noise });
          out.push({ ...base, outcome: 'muted', incidentId: null, noise });
          continue;
        }
        let outcome: AlertOutcomeKind = 'attached';
        if (incident === undefined) {
          const services = servicesOf(alert.labels);
          incident = await this.o.store.createIncident(tx, { groupKey, title: `${alert.name}${services.length === 0 ? '' : ` on ${services.join(', ')}`}`, severity: alert.severity, services, at });
          await this.o.store.appendEvent(tx, incident.id, 'incident_opened', { groupKey, firstAlert: alert.name, severity: alert.severity }, at);
          opened.push(incident.id);
          outcome = 'opened';
        }
        await this.o.store.insertOccurrence(tx, alert, { incidentId: incident.id, startsAt, at, noise });
        await this.o.store.appendEvent(
          tx,
          incident.id,
          'alert',
          { fingerprint: alert.fingerprint, name: alert.name, status: alert.status, severity: alert.severity, source: alert.source, startsAt, labels: alert.labels, summary: alert.annotations.summary ?? null, noiseScore: noise.score },
          at,
        );
        const services = [...new Set([...incident.services, ...servicesOf(alert.labels)])];
        await this.o.store.updateIncidentOnAlert(tx, incident.id, { at, severity: mostSevere(incident.severity, alert.severity), services });
        incident = { ...incident, services, severity: mostSevere(incident.severity, alert.severity) };
        out.push({ ...base, outcome, incidentId: incident.id, noise });
      }
      return out;
    });
    for (const o of outcomes) this.o.metrics?.alerts.inc({ outcome: o.outcome });
    for (const id of opened) this.track(id, this.onOpened(id));
    return { received: alerts.length, opened, outcomes };
  }

  private track(incidentId: string, work: Promise<void>): void {
    const p = work.catch(async (err: unknown) => {
      this.o.onError?.(err, `incident ${incidentId}`);
      await this.o.store.appendEvent(this.o.store.db, incidentId, 'finding', { source: 'error', text: `pipeline step failed: ${err instanceof Error ? err.message : String(err)}` }, this.now()).catch(() => undefined);
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private now(): string {
    return this.clock().toISOString();
  }

  // ---- the pipeline for a new incident ----

  private async onOpened(incidentId: string): Promise<void> {
    const store = this.o.store;
    const incident = await store.getIncident(incidentId);
    if (incident === undefined) return;
    this.o.metrics?.incidentsOpened.inc({ severity: incident.severity });
    const alerts = await store.listAlerts(incidentId);
    const summary = await classifyIncident(alerts, this.o.model === undefined ? {} : { model: this.o.model });
    await store.setSummary(incidentId, summary);
    await store.appendEvent(store.db, incidentId, 'classified', { ...summary }, this.now());
    const team = alerts.map((a) => a.labels[this.o.teamLabel ?? 'team']).find((t): t is string => t !== undefined && t !== '') ?? null;
    const ticketKey = await this.fileTickets(incident, summary, alerts, team);
    await this.notify(incident, summary, team, ticketKey);
    await this.proposeRemediation(incident, summary, alerts);
    if (this.o.diagnosis?.enabled !== false) await this.runDiagnosis(incident, summary, alerts);
  }

  private async fileTickets(incident: IncidentRecord, summary: IncidentSummary, alerts: readonly AlertOccurrence[], team: string | null): Promise<string | null> {
    let firstKey: string | null = null;
    for (const sink of this.tickets) {
      const { action, created } = await this.o.store.claimAction({ incidentId: incident.id, kind: 'ticket', name: sink.system, status: 'pending', at: this.now() });
      if (!created) {
        firstKey ??= typeof action.detail.key === 'string' ? action.detail.key : null;
        continue;
      }
      const description = [
        summary.method === 'rules' ? `_${summary.note ?? 'Rule-based summary'}_` : `Summary by model ${summary.model ?? ''}`,
        '',
        ...summary.symptoms.map((s) => `* ${s}`),
        '',
        `Suspected cause: ${summary.suspected_cause ?? 'unknown'}`,
        `Recommended action: ${summary.recommended_action ?? 'see runbooks'}`,
        `Alerts: ${alerts.map((a) => `${a.name}(${a.labels.instance ?? a.fingerprint})`).join(', ')}`,
        `Conduit incident: ${incident.key} (${incident.id})`,
      ].join('\n');
      try {
        const filed = await sink.file({ incidentId: incident.id, title: `[${summary.severity}] ${summary.title}`, description, severity: summary.severity, ...(team === null ? {} : { team }) });
        await this.o.store.transitionAction(action.id, ['pending'], { status: 'done', detail: { ...filed }, at: this.now() });
        await this.o.store.appendEvent(this.o.store.db, incident.id, 'ticket_created', { ...filed }, this.now());
        await this.audit('incident.ticket.create', incident.id, 'success', { system: filed.system, key: filed.key }, `${action.id}`);
        firstKey ??= filed.key;
      } catch (err) {
        await this.failAction(action, incident.id, 'ticket', err);
      }
    }
    return firstKey;
  }

  private async notify(incident: IncidentRecord, summary: IncidentSummary, team: string | null, ticket: string | null): Promise<void> {
    for (const notifier of this.o.notifiers ?? []) {
      const { action, created } = await this.o.store.claimAction({ incidentId: incident.id, kind: 'notification', name: notifier.name, status: 'pending', at: this.now() });
      if (!created) continue;
      try {
        await notifier.send({
          incidentId: incident.id,
          key: incident.key,
          title: summary.title,
          severity: summary.severity,
          services: summary.services,
          team,
          summary: summary.symptoms,
          ticket,
          url: this.o.publicUrl === undefined ? null : `${this.o.publicUrl.replace(/\/+$/, '')}/v1/incidents/${incident.id}`,
          method: summary.method,
        });
        await this.o.store.transitionAction(action.id, ['pending'], { status: 'done', detail: { team }, at: this.now() });
        await this.o.store.appendEvent(this.o.store.db, incident.id, 'notification_sent', { channel: notifier.name, team }, this.now());
        await this.audit('incident.notify', incident.id, 'success', { channel: notifier.name, team }, action.id);
      } catch (err) {
        await this.failAction(action, incident.id, 'notification', err);
      }
    }
  }

  private async failAction(action: ActionRecord, incidentId: string, what: string, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    await this.o.store.transitionAction(action.id, ['pending', 'approved'], { status: 'failed', detail: { error: message }, at: this.now() });
    await this.o.store.appendEvent(this.o.store.db, incidentId, what === 'notification' ? 'notification_failed' : what === 'remediation' ? 'remediation_failed' : 'finding', { action: action.name, kind: what, error: message }, this.now());
    await this.audit(`incident.${what}.failed`, incidentId, 'failure', { action: action.name, error: message }, `${action.id}:failed`);
  }

  private async proposeRemediation(incident: IncidentRecord, summary: IncidentSummary, alerts: readonly AlertOccurrence[]): Promise<void> {
    const labels = alerts.map((a) => a.labels);
    const runbook = (this.o.runbooks ?? []).find((r) => runbookMatches(r, { alertNames: alerts.map((a) => a.name), category: summary.category, labels }));
    if (runbook === undefined) return;
    const risk = assessRisk(runbook, { severity: summary.severity, labels });
    const proposal = { runbook: runbook.id, title: runbook.title, steps: runbook.steps, action: runbook.action?.name ?? null, risk: risk.score, riskFactors: risk.factors };
    await this.o.store.appendEvent(this.o.store.db, incident.id, 'remediation_proposed', proposal, this.now());
    const action = runbook.action;
    if (action === undefined) return;
    const { action: record, created } = await this.o.store.claimAction({ incidentId: incident.id, kind: 'remediation', name: runbook.id, status: 'pending', riskScore: risk.score, detail: { action: action.name, type: action.type, riskFactors: risk.factors }, at: this.now() });
    if (!created) return;
    const allowed = this.o.allowedActions ?? [];
    if (!allowed.includes(action.name)) {
      await this.o.store.transitionAction(record.id, ['pending'], { status: 'blocked', detail: { reason: `'${action.name}' is not in incident.remediation.allowed_actions` }, at: this.now() });
      await this.o.store.appendEvent(this.o.store.db, incident.id, 'remediation_blocked', { runbook: runbook.id, action: action.name, reason: 'not allow-listed' }, this.now());
      await this.audit('incident.remediation.propose', incident.id, 'blocked', { runbook: runbook.id, action: action.name, risk: risk.score }, record.id);
      return;
    }
    const threshold = this.o.approvalThreshold ?? DEFAULT_APPROVAL_THRESHOLD;
    if (risk.score >= threshold) {
      const runId = `incident-${incident.id}-${record.id}`;
      const approvalId = `apr_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      await this.o.runs.createRun({ id: runId, agent: REMEDIATION_AGENT, input: `Remediation '${runbook.id}' for incident ${incident.key}` });
      await this.o.runs.createApprovals([{ approvalId, runId, callId: record.id, tool: action.name, args: { incidentId: incident.id, runbook: runbook.id, type: action.type }, riskScore: risk.score }]);
      await this.o.store.transitionAction(record.id, ['pending'], { status: 'awaiting_approval', approvalId, detail: { runId, threshold }, at: this.now() });
      await this.o.store.appendEvent(this.o.store.db, incident.id, 'approval_requested', { approvalId, runbook: runbook.id, action: action.name, risk: risk.score, threshold }, this.now());
      await this.audit('incident.remediation.propose', incident.id, 'awaiting_approval', { runbook: runbook.id, action: action.name, risk: risk.score, approvalId }, record.id);
      return;
    }
    await this.o.store.transitionAction(record.id, ['pending'], { status: 'approved', detail: { autoApproved: true, threshold }, at: this.now() });
    await this.audit('incident.remediation.propose', incident.id, 'auto_approved', { runbook: runbook.id, action: action.name, risk: risk.score, threshold }, record.id);
    await this.execute({ ...record, status: 'approved' }, incident, runbook, alerts);
  }

  private async execute(record: ActionRecord, incident: IncidentRecord, runbook: Runbook, alerts: readonly AlertOccurrence[]): Promise<void> {
    const action = runbook.action;
    if (action === undefined) return;
    try {
      const result = await executeRemediation(action, this.o.allowedActions ?? [], {
        incidentId: incident.id,
        service: incident.services[0] ?? '',
        severity: incident.severity,
        labels: alerts[0]?.labels ?? {},
      });
      await this.o.store.transitionAction(record.id, ['approved'], { status: 'executed', detail: { result: result.output }, at: this.now() });
      await this.o.store.appendEvent(this.o.store.db, incident.id, 'remediation_executed', { runbook: runbook.id, action: action.name, type: action.type, output: result.output }, this.now());
      await this.audit('incident.remediation.execute', incident.id, 'success', { runbook: runbook.id, action: action.name }, `${record.id}:execute`);
    } catch (err) {
      await this.failAction(record, incident.id, 'remediation', err);
    }
  }

  private async runDiagnosis(incident: IncidentRecord, summary: IncidentSummary, alerts: readonly AlertOccurrence[]): Promise<void> {
    const alertNames = [...new Set(alerts.map((a) => a.name))];
    const { findings, similar } = await diagnose(
      { incidentId: incident.id, summary, description: incidentDescription({ title: summary.title, category: summary.category, services: summary.services, alertNames }), alertNames },
      {
        logs: this.o.logs ?? [],
        ...(this.o.prometheus === undefined ? {} : { prometheus: this.o.prometheus }),
        signals: this.o.signals,
        ...(this.o.memory === undefined ? {} : { memory: this.o.memory }),
        ...(this.o.model === undefined ? {} : { model: this.o.model }),
        ...(this.o.diagnosis?.maxSteps === undefined ? {} : { maxSteps: this.o.diagnosis.maxSteps }),
        clock: this.clock,
      },
    );
    if (similar.length > 0) await this.o.store.appendEvent(this.o.store.db, incident.id, 'similar_incidents', { incidents: similar }, this.now());
    for (const f of findings) if (f.source !== 'similar_incidents') await this.o.store.appendEvent(this.o.store.db, incident.id, 'finding', { source: f.source, text: f.text, ...(f.data === undefined ? {} : { data: f.data }) }, this.now());
  }

  // ---- reads ----

  listIncidents(query?: ListIncidentsQuery): Promise<IncidentRecord[]> {
    return this.o.store.listIncidents(query);
  }

  listMutedAlerts(limit?: number): Promise<AlertOccurrence[]> {
    return this.o.store.listMutedAlerts(limit);
  }

  async getIncident(id: string): Promise<IncidentView> {
    const incident = await this.requireIncident(id);
    const [alerts, actions, timeline] = await Promise.all([this.o.store.listAlerts(id), this.o.store.listActions(id), this.o.store.timeline(id)]);
    const approvals: ApprovalRecord[] = [];
    for (const a of actions) {
      const runId = a.detail.runId;
      if (a.approvalId !== null && typeof runId === 'string') {
        const approval = await this.o.runs.getApproval(runId, a.approvalId);
        if (approval !== undefined) approvals.push(approval);
      }
    }
    return { incident, alerts, actions, approvals, timeline };
  }

  private async requireIncident(id: string): Promise<IncidentRecord> {
    const incident = await this.o.store.getIncident(id);
    if (incident === undefined) throw new ConduitError('not_found', `No incident '${id}'`, { code: 'incident_not_found' });
    return incident;
  }

  // ---- people ----

  /** Approves or denies a held remediation; an approved one runs once. Repeating the same decision is harmless; the opposite one is a 409. */
  async decideApproval(incidentId: string, approvalId: string, input: { decision: ApprovalDecision; by: string; reason?: string }): Promise<ApprovalResult> {
    const incident = await this.requireIncident(incidentId);
    const action = await this.o.store.findActionByApproval(incidentId, approvalId);
    const runId = action?.detail.runId;
    if (action === undefined || typeof runId !== 'string') throw new ConduitError('not_found', `Incident '${incidentId}' has no approval '${approvalId}'`, { code: 'approval_not_found' });
    const approval = await this.o.runs.getApproval(runId, approvalId);
    if (approval === undefined) throw new ConduitError('not_found', `Incident '${incidentId}' has no approval '${approvalId}'`, { code: 'approval_not_found' });
    const wanted = approvalOutcome(input.decision);
    if (approval.status !== 'pending' && approval.status !== wanted) throw alreadyDecided(approvalId, approval.status);
    const entry = await auditApprovalDecision(this.o.audit, { runId, approvalId, agent: REMEDIATION_AGENT, tool: approval.tool, callId: approval.callId, decision: input.decision, by: input.by, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    if (entry.outcome !== wanted) throw alreadyDecided(approvalId, String(entry.outcome));
    const stored = await this.o.runs.decideApproval(runId, approvalId, { decision: input.decision, by: input.by, ...(input.reason === undefined ? {} : { reason: input.reason }) });
    if (stored.status !== wanted) throw alreadyDecided(approvalId, stored.status);
    const moved = await this.o.store.transitionAction(action.id, ['awaiting_approval'], { status: wanted, detail: { decidedBy: input.by }, at: this.now() });
    if (moved) {
      await this.o.store.appendEvent(this.o.store.db, incidentId, 'approval_decided', { approvalId, decision: input.decision, by: input.by, reason: input.reason ?? null, action: action.name }, this.now());
      if (wanted === 'approved') {
        const runbook = (this.o.runbooks ?? []).find((r) => r.id === action.name);
        if (runbook === undefined) await this.failAction({ ...action, status: 'approved' }, incidentId, 'remediation', new Error(`runbook '${action.name}' is no longer loaded`));
        else await this.execute({ ...action, status: 'approved' }, incident, runbook, await this.o.store.listAlerts(incidentId));
      }
    }
    const fresh = (await this.o.store.listActions(incidentId)).find((a) => a.id === action.id) ?? action;
    return { approval: stored, action: fresh };
  }

  async acknowledge(id: string, by: string): Promise<IncidentRecord> {
    const incident = await this.requireIncident(id);
    const at = this.now();
    if (await this.o.store.acknowledge(id, by, at)) {
      await this.o.store.appendEvent(this.o.store.db, id, 'acknowledged', { by }, at);
      await this.audit('incident.acknowledge', id, 'success', {}, `${id}:ack`, by);
      this.o.metrics?.timeToAcknowledge.observe({ severity: incident.severity }, secondsBetween(incident.createdAt, at));
    }
    return this.requireIncident(id);
  }

  /** Resolves with a note; the note goes into memory for the next similar incident. */
  async resolve(id: string, input: { by: string; note: string }): Promise<IncidentRecord> {
    const note = input.note.trim();
    if (note === '') throw new ConduitError('invalid_request', 'A resolution note is required: it is what the next on-call engineer will be offered', { code: 'resolution_note_required' });
    const incident = await this.requireIncident(id);
    const at = this.now();
    if (!(await this.o.store.resolve(id, { by: input.by, note, at }))) throw new ConduitError('invalid_request', `Incident '${id}' is already resolved`, { code: 'incident_already_resolved', status: 409 });
    await this.o.store.closeTicket(id);
    await this.o.store.appendEvent(this.o.store.db, id, 'resolved', { by: input.by, note }, at);
    await this.audit('incident.resolve', id, 'success', {}, `${id}:resolve`, input.by);
    if (incident.acknowledgedAt === null) this.o.metrics?.timeToAcknowledge.observe({ severity: incident.severity }, secondsBetween(incident.createdAt, at));
    this.o.metrics?.timeToResolve.observe({ severity: incident.severity }, secondsBetween(incident.createdAt, at));
    if (this.o.memory !== undefined) {
      const alertNames = [...new Set((await this.o.store.listAlerts(id)).map((a) => a.name))];
      await rememberResolution(this.o.memory, {
        incidentId: id,
        key: incident.key,
        title: incident.title,
        description: incidentDescription({ title: incident.title, category: incident.category, services: incident.services, alertNames }),
        resolution: note,
      });
    }
    return this.requireIncident(id);
  }

  private async audit(action: string, incidentId: string, outcome: string, details: Record<string, unknown>, key: string, actor = 'system'): Promise<void> {
    await this.o.audit.append({ requestId: `incident:${key}`, actor, action, resource: `incident:${incidentId}`, outcome, details: { incidentId, ...details } });
  }
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function alreadyDecided(approvalId: string, status: string): ConduitError {
  return new ConduitError('invalid_request', `Approval '${approvalId}' was already decided: ${status}`, { code: 'approval_already_decided', status: 409 });
}
