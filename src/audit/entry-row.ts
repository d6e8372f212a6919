/** Mapping between `conduit_audit_entries` rows and `AuditEntry`; both adapters' value shapes. */
import type { AuditEntry } from './entry.js';

export const ENTRY_COLUMNS =
  'seq, id, ts, request_id, actor, user_ref, user_id, action, resource, outcome, details, personal_hash, personal, content_hash, (content IS NOT NULL) AS has_content, prev_hash, hash, erased_at';

export interface AuditEntryRow {
  seq: number | string | bigint;
  id: string;
  ts: Date | string;
  request_id: string | null;
  actor: string;
  user_ref: string | null;
  user_id: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  details: Record<string, unknown> | string;
  personal_hash: string | null;
  personal: Record<string, unknown> | string | null;
  content_hash: string | null;
  has_content: boolean;
  prev_hash: string;
  hash: string;
  erased_at: Date | string | null;
}

function json(value: Record<string, unknown> | string): Record<string, unknown> {
  // pg and PGlite both parse jsonb, but a string can come back from a custom type parser.
  return typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : value;
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function rowToEntry(row: AuditEntryRow): AuditEntry {
  return {
    seq: Number(row.seq),
    id: row.id,
    ts: iso(row.ts),
    requestId: row.request_id,
    actor: row.actor,
    userId: row.user_id,
    userRef: row.user_ref,
    action: row.action,
    resource: row.resource,
    outcome: row.outcome,
    details: json(row.details),
    personal: row.personal === null ? null : json(row.personal),
    personalHash: row.personal_hash,
    contentHash: row.content_hash,
    hasContent: row.has_content,
    prevHash: row.prev_hash,
    hash: row.hash,
    erasedAt: row.erased_at === null ? null : iso(row.erased_at),
  };
}
