/** What the incident store keeps, as the HTTP API and the console read it. */
import type { AlertStatus, Severity } from '../alert.js';
import type { NoiseReason } from '../correlation/noise-score.js';
import type { IncidentSummary } from '../classify/incident-summary.js';

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface IncidentRecord {
  id: string;
  /** Human-friendly number, `INC-<seq>`. */
  key: string;
  groupKey: string;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  services: string[];
  category: string | null;
  summary: IncidentSummary | null;
  alertCount: number;
  createdAt: string;
  lastAlertAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

export interface AlertOccurrence {
  fingerprint: string;
  startsAt: string;
  incidentId: string | null;
  name: string;
  status: AlertStatus;
  severity: Severity;
  source: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string | null;
  receivedAt: string;
  lastSeenAt: string;
  /** Times the same occurrence was delivered again (Alertmanager re-sends, replays). */
  repeats: number;
  noiseScore: number;
  noiseReasons: NoiseReason[];
  muted: boolean;
}

export type TimelineEventType =
  | 'incident_opened'
  | 'alert'
  | 'alert_resolved'
  | 'classified'
  | 'finding'
  | 'ticket_created'
  | 'notification_sent'
  | 'notification_failed'
  | 'remediation_proposed'
  | 'remediation_blocked'
  | 'approval_requested'
  | 'approval_decided'
  | 'remediation_executed'
  | 'remediation_failed'
  | 'acknowledged'
  | 'resolved'
  | 'similar_incidents';

export interface TimelineEvent {
  id: number;
  incidentId: string;
  at: string;
  type: TimelineEventType;
  data: Record<string, unknown>;
}

export type ActionKind = 'ticket' | 'notification' | 'remediation';
export type ActionStatus = 'pending' | 'done' | 'failed' | 'awaiting_approval' | 'approved' | 'denied' | 'blocked' | 'executed';

export interface ActionRecord {
  id: string;
  incidentId: string;
  kind: ActionKind;
  name: string;
  status: ActionStatus;
  riskScore: number | null;
  approvalId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface TicketRecord {
  id: number;
  /** `CONDUIT-<id>` for Conduit's own store. */
  key: string;
  incidentId: string;
  title: string;
  description: string;
  status: 'open' | 'closed';
  assigneeTeam: string | null;
  createdAt: string;
}

export interface ChangeRecord {
  id: number;
  service: string;
  kind: string;
  description: string;
  at: string;
  metadata: Record<string, unknown>;
}

export interface LogLine {
  at: string;
  service: string;
  level: string;
  message: string;
  labels: Record<string, string>;
}
