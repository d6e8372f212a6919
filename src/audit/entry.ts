/**
 * The audit entry and its hash. What the chain covers, and what it deliberately does not:
 *
 *   hash = sha256(canonicalJson({ v, seq, id, ts, requestId, actor, userRef, action, resource,
 *                                 outcome, details, contentHash, personalHash, prevHash }))
 *
 * Left out of the hash, so they can be erased (GDPR) without breaking the chain:
 * - `content`  — the encrypted prompt/response; the chain covers its `contentHash` instead.
 * - `userId`   — the clear user id; the chain covers `userRef`, an HMAC pseudonym of it.
 * - `personal` — personal fields (email, IP…) with a random salt; the chain covers
 *                `personalHash` = sha256(salt ‖ canonicalJson(personal)). Once salt and data are
 *                nulled, the remaining hash can no longer be linked back to the person.
 * `details` is hashed and therefore permanent: it must hold no secrets and no personal data.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** Hash format version, inside the hashed record so a future format can coexist. */
export const AUDIT_HASH_VERSION = 1;
/** The `prevHash` of the first entry of a log. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure' | 'denied' | 'blocked' | 'flagged' | 'allowed' | (string & {});

/** What a caller hands to `append`. */
export interface AuditEntryInput {
  /** The gateway request id; with it, `(requestId, action)` makes the append idempotent. */
  requestId?: string;
  /** Who acted: a virtual key id, a user, `'admin'` or `'system'`. */
  actor: string;
  /** The end user the entry concerns; stored in clear only in an erasable column. */
  userId?: string;
  /** e.g. `model.request`, `guardrail.decision`, `admin.key.create`, `admin.emergency_stop`. */
  action: string;
  /** What was acted on: a model, a key id, a route. */
  resource?: string;
  outcome: AuditOutcome;
  /** Permanent, hashed JSON. No secrets (secret-looking keys are redacted), no personal data. */
  details?: Record<string, unknown>;
  /** Personal fields (email, IP address…): tamper-evident but erasable. */
  personal?: Record<string, unknown>;
  /**
   * The prompt and response. The log always keeps `sha256(canonicalJson(content))`; with
   * `content: 'encrypted'` it also keeps the content itself under AES-256-GCM.
   */
  content?: AuditContent;
  /** A precomputed content hash (64 hex chars) when the caller hashes content itself. */
  contentHash?: string;
  /** Defaults to the time of the append. */
  ts?: Date;
}

export interface AuditContent {
  prompt: unknown;
  response?: unknown;
}

/** A stored entry, as `append` and `query` return it. */
export interface AuditEntry {
  seq: number;
  id: string;
  /** ISO 8601 with milliseconds, exactly as hashed. */
  ts: string;
  requestId: string | null;
  actor: string;
  /** Clear user id; null when none was given or after `eraseUser`. */
  userId: string | null;
  /** HMAC pseudonym of the user id (hashed); survives erasure. */
  userRef: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  details: Record<string, unknown>;
  /** Personal fields; null when none or erased. */
  personal: Record<string, unknown> | null;
  personalHash: string | null;
  contentHash: string | null;
  /** Whether an encrypted content blob is stored (read it with `readContent`). */
  hasContent: boolean;
  prevHash: string;
  hash: string;
  /** When the user's data in this entry was erased, if it was. */
  erasedAt: string | null;
}

/** The fields the chain hash covers. */
export type HashedFields = Pick<
  AuditEntry,
  'seq' | 'id' | 'ts' | 'requestId' | 'actor' | 'userRef' | 'action' | 'resource' | 'outcome' | 'details' | 'contentHash' | 'personalHash' | 'prevHash'
>;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function computeEntryHash(fields: HashedFields): string {
  return sha256Hex(
    canonicalJson({
      v: AUDIT_HASH_VERSION,
      seq: fields.seq,
      id: fields.id,
      ts: fields.ts,
      requestId: fields.requestId,
      actor: fields.actor,
      userRef: fields.userRef,
      action: fields.action,
      resource: fields.resource,
      outcome: fields.outcome,
      details: fields.details,
      contentHash: fields.contentHash,
      personalHash: fields.personalHash,
      prevHash: fields.prevHash,
    }),
  );
}

export function computeContentHash(content: AuditContent): string {
  return sha256Hex(canonicalJson(content));
}

/** The salt is random per entry and erased with the data, so the hash alone reveals nothing. */
export function computePersonalHash(salt: string, personal: Record<string, unknown>): string {
  return sha256Hex(`${salt}:${canonicalJson(personal)}`);
}

// Keys whose values are credentials. Matching is on the whole key so `tokens` (usage) stays.
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|client_secret|api[-_]?key|x-api-key|master[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token|bearer|private[-_]?key)$/i;
export const REDACTED = '[redacted]';

/** Replaces the values of secret-looking keys at any depth: details are permanent, secrets must not be. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? REDACTED : redactSecrets(v);
    return out;
  }
  return value;
}
