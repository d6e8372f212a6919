/** Tables of the incident application; ids are global across Conduit's migrations and never reused. */
import type { Migration } from '../../../store/migrations.js';

export const incidentMigrations: readonly Migration[] = [
  {
    id: 'incident/0001_create_tables',
    sql: `
      CREATE TABLE IF NOT EXISTS conduit_incidents (
        id text PRIMARY KEY,
        seq bigserial UNIQUE,
        group_key text NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        severity text NOT NULL,
        services jsonb NOT NULL DEFAULT '[]',
        category text,
        summary jsonb,
        created_at timestamptz NOT NULL,
        last_alert_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text,
        resolved_at timestamptz,
        resolved_by text,
        resolution_note text
      );
      CREATE INDEX IF NOT EXISTS conduit_incidents_open ON conduit_incidents (group_key, status, last_alert_at);
      CREATE TABLE IF NOT EXISTS conduit_incident_alerts (
        fingerprint text NOT NULL,
        starts_at timestamptz NOT NULL,
        incident_id text REFERENCES conduit_incidents (id) ON DELETE CASCADE,
        name text NOT NULL,
        status text NOT NULL,
        severity text NOT NULL,
        source text NOT NULL,
        labels jsonb NOT NULL,
        annotations jsonb NOT NULL,
        ends_at timestamptz,
        received_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        repeats integer NOT NULL DEFAULT 0,
        noise_score real NOT NULL DEFAULT 0,
        noise_reasons jsonb NOT NULL DEFAULT '[]',
        muted boolean NOT NULL DEFAULT false,
        PRIMARY KEY (fingerprint, starts_at)
      );
      CREATE INDEX IF NOT EXISTS conduit_incident_alerts_incident ON conduit_incident_alerts (incident_id);
      CREATE TABLE IF NOT EXISTS conduit_incident_events (
        id bigserial PRIMARY KEY,
        incident_id text NOT NULL REFERENCES conduit_incidents (id) ON DELETE CASCADE,
        at timestamptz NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL
      );
      CREATE INDEX IF NOT EXISTS conduit_incident_events_incident ON conduit_incident_events (incident_id, id);
      CREATE TABLE IF NOT EXISTS conduit_incident_actions (
        id text PRIMARY KEY,
        incident_id text NOT NULL REFERENCES conduit_incidents (id) ON DELETE CASCADE,
        kind text NOT NULL,
        name text NOT NULL,
        status text NOT NULL,
        risk_score real,
        approval_id text,
        detail jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (incident_id, kind, name)
      );
      CREATE TABLE IF NOT EXISTS conduit_incident_tickets (
        id bigserial PRIMARY KEY,
        incident_id text NOT NULL UNIQUE REFERENCES conduit_incidents (id) ON DELETE CASCADE,
        title text NOT NULL,
        description text NOT NULL,
        status text NOT NULL,
        assignee_team text,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS conduit_incident_changes (
        id bigserial PRIMARY KEY,
        service text NOT NULL,
        kind text NOT NULL,
        description text NOT NULL,
        at timestamptz NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX IF NOT EXISTS conduit_incident_changes_at ON conduit_incident_changes (service, at);
      CREATE TABLE IF NOT EXISTS conduit_incident_logs (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        service text NOT NULL,
        level text NOT NULL,
        message text NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX IF NOT EXISTS conduit_incident_logs_at ON conduit_incident_logs (service, at)
    `,
  },
];
