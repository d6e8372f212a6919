/**
 * Incidents, their alert occurrences, timeline, actions and tickets on the SqlDatabase port
 * (embedded PGlite or PostgreSQL). Correlation runs inside `withCorrelationLock`: a transaction
 * holding an advisory lock, so concurrent webhooks — also on several replicas — never open two
 * incidents for one group.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDatabase, SqlExecutor } from '../../../store/sql.js';
import { runMigrations } from '../../../store/migrations.js';
import type { Alert, Severity } from '../alert.js';
import type { NoiseVerdict } from '../correlation/noise-score.js';
import type { IncidentSummary } from '../classify/incident-summary.js';
import { incidentMigrations } from './incident-migrations.js';
import type {
  ActionKind,
  ActionRecord,
  ActionStatus,
  AlertOccurrence,
  IncidentRecord,
  IncidentStatus,
  TicketRecord,
  TimelineEvent,
  TimelineEventType,
} from './incident-records.js';

// Arbitrary constant: the advisory lock that serialises correlation.
const CORRELATION_LOCK_KEY = 7_231_990_707;

type Row = Record<string, unknown>;

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function toIncident(r: Row): IncidentRecord {
  return {
    id: String(r.id),
    key: `INC-${String(r.seq)}`,
    groupKey: String(r.group_key),
    title: String(r.title),
    status: r.status as IncidentStatus,
    severity: r.severity as Severity,
    services: json<string[]>(r.services),
    category: (r.category as string | null) ?? null,
    summary: r.summary === null ? null : json<IncidentSummary>(r.summary),
    alertCount: Number(r.alert_count ?? 0),
    createdAt: iso(r.created_at),
    lastAlertAt: iso(r.last_alert_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    resolvedAt: isoOrNull(r.resolved_at),
    resolvedBy: (r.resolved_by as string | null) ?? null,
    resolutionNote: (r.resolution_note as string | null) ?? null,
  };
}

function toOccurrence(r: Row): AlertOccurrence {
  return {
    fingerprint: String(r.fingerprint),
    startsAt: iso(r.starts_at),
    incidentId: (r.incident_id as string | null) ?? null,
    name: String(r.name),
    status: r.status as AlertOccurrence['status'],
    severity: r.severity as Severity,
    source: String(r.source),
    labels: json(r.labels),
    annotations: json(r.annotations),
    endsAt: isoOrNull(r.ends_at),
    receivedAt: iso(r.received_at),
    lastSeenAt: iso(r.last_seen_at),
    repeats: Number(r.repeats),
    noiseScore: Number(r.noise_score),
    noiseReasons: json(r.noise_reasons),
    muted: Boolean(r.muted),
  };
}

function toAction(r: Row): ActionRecord {
  return {
    id: String(r.id),
    incidentId: String(r.incident_id),
    kind: r.kind as ActionKind,
    name: String(r.name),
    status: r.status as ActionStatus,
    riskScore: r.risk_score === null ? null : Math.round(Number(r.risk_score) * 100) / 100,
    approvalId: (r.approval_id as string | null) ?? null,
    detail: json(r.detail),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

function toTicket(r: Row): TicketRecord {
  return {
    id: Number(r.id),
    key: `CONDUIT-${String(r.id)}`,
    incidentId: String(r.incident_id),
    title: String(r.title),
    description: String(r.description),
    status: r.status as TicketRecord['status'],
    assigneeTeam: (r.assignee_team as string | null) ?? null,
    createdAt: iso(r.created_at),
  };
}

const INCIDENT_SELECT = `SELECT i.*, (SELECT count(*) FROM conduit_incident_alerts a WHERE a.incident_id = i.id) AS alert_count FROM conduit_incidents i`;

export interface ListIncidentsQuery {
  status?: IncidentStatus;
  /** Default 50, at most 500; newest first. */
  limit?: number;
}

export interface NewIncident {
  groupKey: string;
  title: string;
  severity: Severity;
  services: string[];
  at: string;
}

export class IncidentStore {
  private constructor(readonly db: SqlDatabase) {}

  static async open(db: SqlDatabase, options: { migrate?: boolean } = {}): Promise<IncidentStore> {
    if (options.migrate !== false) await runMigrations(db, incidentMigrations);
    return new IncidentStore(db);
  }

  /** Runs `fn` in a transaction that holds the correlation lock. */
  withCorrelationLock<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [CORRELATION_LOCK_KEY]);
      return fn(tx);
    });
  }

  // ---- alert occurrences ----

  /** The occurrence an alert re-delivers: same fingerprint and start, or — when the source gives no start — the latest one still firing. */
  async findOccurrence(tx: SqlExecutor, alert: Alert): Promise<AlertOccurrence | undefined> {
    const { rows } =
      alert.startsAt !== undefined
        ? await tx.query('SELECT * FROM conduit_incident_alerts WHERE fingerprint = $1 AND starts_at = $2', [alert.fingerprint, alert.startsAt])
        : await tx.query("SELECT * FROM conduit_incident_alerts WHERE fingerprint = $1 AND status = 'firing' ORDER BY starts_at DESC LIMIT 1", [alert.fingerprint]);
    return rows[0] === undefined ? undefined : toOccurrence(rows[0]);
  }

  async countFiringsSince(tx: SqlExecutor, fingerprint: string, since: string): Promise<number> {
    const { rows } = await tx.query<{ n: number | string }>('SELECT count(*) AS n FROM conduit_incident_alerts WHERE fingerprint = $1 AND starts_at >= $2', [fingerprint, since]);
    return Number(rows[0]?.n ?? 0);
  }

  async insertOccurrence(tx: SqlExecutor, alert: Alert, input: { incidentId: string | null; startsAt: string; at: string; noise: NoiseVerdict }): Promise<void> {
    await tx.query(
      `INSERT INTO conduit_incident_alerts (fingerprint, starts_at, incident_id, name, status, severity, source, labels, annotations, ends_at, received_at, last_seen_at, noise_score, noise_reasons, muted)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $11, $12, $13::jsonb, $14)`,
      [
        alert.fingerprint,
        input.startsAt,
        input.incidentId,
        alert.name,
        alert.status,
        alert.severity,
        alert.source,
        JSON.stringify(alert.labels),
        JSON.stringify(alert.annotations),
        alert.endsAt ?? null,
        input.at,
        input.noise.score,
        JSON.stringify(input.noise.reasons),
        input.noise.muted,
      ],
    );
  }

  /** A re-delivery: counts it, and records a change of status (firing → resolved). */
  async touchOccurrence(tx: SqlExecutor, occ: AlertOccurrence, alert: Alert, at: string): Promise<void> {
    await tx.query(
      'UPDATE conduit_incident_alerts SET last_seen_at = $3, repeats = repeats + 1, status = $4, ends_at = COALESCE($5, ends_at) WHERE fingerprint = $1 AND starts_at = $2',
      [occ.fingerprint, occ.startsAt, at, alert.status, alert.endsAt ?? null],
    );
  }

  async listAlerts(incidentId: string): Promise<AlertOccurrence[]> {
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_alerts WHERE incident_id = $1 ORDER BY starts_at, fingerprint', [incidentId]);
    return rows.map(toOccurrence);
  }

  async listMutedAlerts(limit = 100): Promise<AlertOccurrence[]> {
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_alerts WHERE muted ORDER BY received_at DESC LIMIT $1', [Math.min(Math.max(limit, 1), 500)]);
    return rows.map(toOccurrence);
  }

  // ---- incidents ----

  async findOpenIncident(tx: SqlExecutor, groupKey: string, since: string): Promise<IncidentRecord | undefined> {
    const { rows } = await tx.query(`${INCIDENT_SELECT} WHERE i.group_key = $1 AND i.status <> 'resolved' AND i.last_alert_at >= $2 ORDER BY i.created_at DESC LIMIT 1`, [groupKey, since]);
    return rows[0] === undefined ? undefined : toIncident(rows[0]);
  }

  async createIncident(tx: SqlExecutor, input: NewIncident): Promise<IncidentRecord> {
    const id = `inc_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const { rows } = await tx.query(
      `INSERT INTO conduit_incidents (id, group_key, title, status, severity, services, created_at, last_alert_at) VALUES ($1, $2, $3, 'open', $4, $5::jsonb, $6, $6) RETURNING *, 0 AS alert_count`,
      [id, input.groupKey, input.title, input.severity, JSON.stringify(input.services), input.at],
    );
    return toIncident(rows[0] as Row);
  }

  async updateIncidentOnAlert(tx: SqlExecutor, id: string, input: { at: string; severity: Severity; services: string[] }): Promise<void> {
    await tx.query('UPDATE conduit_incidents SET last_alert_at = GREATEST(last_alert_at, $2::timestamptz), severity = $3, services = $4::jsonb WHERE id = $1', [
      id,
      input.at,
      input.severity,
      JSON.stringify(input.services),
    ]);
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    const { rows } = await this.db.query(`${INCIDENT_SELECT} WHERE i.id = $1`, [id]);
    return rows[0] === undefined ? undefined : toIncident(rows[0]);
  }

  async listIncidents(query: ListIncidentsQuery = {}): Promise<IncidentRecord[]> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const { rows } =
      query.status === undefined
        ? await this.db.query(`${INCIDENT_SELECT} ORDER BY i.created_at DESC, i.seq DESC LIMIT $1`, [limit])
        : await this.db.query(`${INCIDENT_SELECT} WHERE i.status = $2 ORDER BY i.created_at DESC, i.seq DESC LIMIT $1`, [limit, query.status]);
    return rows.map(toIncident);
  }

  async setSummary(id: string, summary: IncidentSummary): Promise<void> {
    await this.db.query('UPDATE conduit_incidents SET summary = $2::jsonb, category = $3, title = $4 WHERE id = $1', [id, JSON.stringify(summary), summary.category, summary.title]);
  }

  /** Moves an open incident to acknowledged; false when it was not open. */
  async acknowledge(id: string, by: string, at: string): Promise<boolean> {
    const r = await this.db.query("UPDATE conduit_incidents SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1 AND status = 'open'", [id, at, by]);
    return r.rowCount === 1;
  }

  /** Resolves an incident not yet resolved (acknowledging it too when nobody did); false when already resolved. */
  async resolve(id: string, input: { by: string; note: string; at: string }): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE conduit_incidents SET status = 'resolved', resolved_at = $2, resolved_by = $3, resolution_note = $4,
         acknowledged_at = COALESCE(acknowledged_at, $2), acknowledged_by = COALESCE(acknowledged_by, $3)
       WHERE id = $1 AND status <> 'resolved'`,
      [id, input.at, input.by, input.note],
    );
    return r.rowCount === 1;
  }

  // ---- timeline ----

  async appendEvent(exec: SqlExecutor, incidentId: string, type: TimelineEventType, data: Record<string, unknown>, at: string): Promise<void> {
    await exec.query('INSERT INTO conduit_incident_events (incident_id, at, type, data) VALUES ($1, $2, $3, $4::jsonb)', [incidentId, at, type, JSON.stringify(data)]);
  }

  async timeline(incidentId: string): Promise<TimelineEvent[]> {
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_events WHERE incident_id = $1 ORDER BY id', [incidentId]);
    return rows.map((r) => ({ id: Number(r.id), incidentId: String(r.incident_id), at: iso(r.at), type: r.type as TimelineEventType, data: json(r.data) }));
  }

  // ---- actions ----

  /** Creates the action once per (incident, kind, name); returns `created: false` with the stored one on a repeat. */
  async claimAction(input: { incidentId: string; kind: ActionKind; name: string; status: ActionStatus; riskScore?: number; detail?: Record<string, unknown>; at: string }): Promise<{ action: ActionRecord; created: boolean }> {
    const id = `act_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const inserted = await this.db.query(
      `INSERT INTO conduit_incident_actions (id, incident_id, kind, name, status, risk_score, detail, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $8)
       ON CONFLICT (incident_id, kind, name) DO NOTHING RETURNING *`,
      [id, input.incidentId, input.kind, input.name, input.status, input.riskScore ?? null, JSON.stringify(input.detail ?? {}), input.at],
    );
    if (inserted.rows[0] !== undefined) return { action: toAction(inserted.rows[0]), created: true };
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_actions WHERE incident_id = $1 AND kind = $2 AND name = $3', [input.incidentId, input.kind, input.name]);
    return { action: toAction(rows[0] as Row), created: false };
  }

  /** Moves an action from one of `from` to `status`; false when another writer got there first. */
  async transitionAction(id: string, from: readonly ActionStatus[], update: { status: ActionStatus; detail?: Record<string, unknown>; approvalId?: string; at: string }): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE conduit_incident_actions SET status = $2, detail = detail || $3::jsonb, approval_id = COALESCE($4, approval_id), updated_at = $5 WHERE id = $1 AND status = ANY($6::text[])`,
      [id, update.status, JSON.stringify(update.detail ?? {}), update.approvalId ?? null, update.at, [...from]],
    );
    return r.rowCount === 1;
  }

  async listActions(incidentId: string): Promise<ActionRecord[]> {
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_actions WHERE incident_id = $1 ORDER BY created_at, id', [incidentId]);
    return rows.map(toAction);
  }

  async findActionByApproval(incidentId: string, approvalId: string): Promise<ActionRecord | undefined> {
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_actions WHERE incident_id = $1 AND approval_id = $2', [incidentId, approvalId]);
    return rows[0] === undefined ? undefined : toAction(rows[0]);
  }

  // ---- Conduit's own ticket store ----

  /** One ticket per incident: a second call returns the first. */
  async createTicket(input: { incidentId: string; title: string; description: string; assigneeTeam?: string; at: string }): Promise<TicketRecord> {
    const inserted = await this.db.query(
      `INSERT INTO conduit_incident_tickets (incident_id, title, description, status, assignee_team, created_at) VALUES ($1, $2, $3, 'open', $4, $5) ON CONFLICT (incident_id) DO NOTHING RETURNING *`,
      [input.incidentId, input.title, input.description, input.assigneeTeam ?? null, input.at],
    );
    if (inserted.rows[0] !== undefined) return toTicket(inserted.rows[0]);
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_tickets WHERE incident_id = $1', [input.incidentId]);
    return toTicket(rows[0] as Row);
  }

  async listTickets(): Promise<TicketRecord[]> {
    const { rows } = await this.db.query('SELECT * FROM conduit_incident_tickets ORDER BY id');
    return rows.map(toTicket);
  }

  async closeTicket(incidentId: string): Promise<void> {
    await this.db.query("UPDATE conduit_incident_tickets SET status = 'closed' WHERE incident_id = $1", [incidentId]);
  }
}
