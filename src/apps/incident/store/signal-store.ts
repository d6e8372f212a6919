/**
 * The operational signals Conduit keeps itself for diagnosis: recent changes (deploys, config
 * edits) pushed to it, and log lines pushed over HTTP or loaded from files — for teams with no
 * Loki or Elasticsearch.
 */
import type { SqlDatabase } from '../../../store/sql.js';
import type { ChangeRecord, LogLine } from './incident-records.js';

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export interface LogQuery {
  /** Case-insensitive substring; empty matches every line. */
  text: string;
  service?: string;
  since: string;
  until?: string;
  limit?: number;
}

export class SignalStore {
  /** Expects the incident migrations to have run (IncidentStore.open does). */
  constructor(private readonly db: SqlDatabase) {}

  async addChange(change: Omit<ChangeRecord, 'id'>): Promise<ChangeRecord> {
    const { rows } = await this.db.query('INSERT INTO conduit_incident_changes (service, kind, description, at, metadata) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id', [
      change.service,
      change.kind,
      change.description,
      change.at,
      JSON.stringify(change.metadata),
    ]);
    return { id: Number(rows[0]?.id), ...change };
  }

  /** Changes to any of `services` (all services when empty) since `since`, newest first. */
  async recentChanges(services: readonly string[], since: string, limit = 20): Promise<ChangeRecord[]> {
    const { rows } =
      services.length === 0
        ? await this.db.query('SELECT * FROM conduit_incident_changes WHERE at >= $1 ORDER BY at DESC LIMIT $2', [since, limit])
        : await this.db.query('SELECT * FROM conduit_incident_changes WHERE at >= $1 AND service = ANY($3::text[]) ORDER BY at DESC LIMIT $2', [since, limit, [...services]]);
    return rows.map((r) => ({ id: Number(r.id), service: String(r.service), kind: String(r.kind), description: String(r.description), at: iso(r.at), metadata: json(r.metadata) }));
  }

  async addLogs(lines: readonly LogLine[]): Promise<number> {
    if (lines.length === 0) return 0;
    await this.db.query(
      `INSERT INTO conduit_incident_logs (at, service, level, message, labels)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
      [lines.map((l) => l.at), lines.map((l) => l.service), lines.map((l) => l.level), lines.map((l) => l.message), lines.map((l) => JSON.stringify(l.labels))],
    );
    return lines.length;
  }

  async searchLogs(query: LogQuery): Promise<LogLine[]> {
    const params: unknown[] = [query.since, query.until ?? new Date().toISOString(), `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, Math.min(query.limit ?? 50, 500)];
    let sql = 'SELECT * FROM conduit_incident_logs WHERE at >= $1 AND at <= $2 AND message ILIKE $3';
    if (query.service !== undefined) {
      params.push(query.service);
      sql += ` AND service = $${params.length}`;
    }
    const { rows } = await this.db.query(`${sql} ORDER BY at DESC LIMIT $4`, params);
    return rows.map((r) => ({ at: iso(r.at), service: String(r.service), level: String(r.level), message: String(r.message), labels: json(r.labels) }));
  }
}
