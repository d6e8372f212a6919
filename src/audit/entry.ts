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
import { hash } from 'node:crypto';
import { canonicalJson, canonicalJsonOfJsonValue } from './canonical-json.js';

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
  // crypto.hash: one native call instead of a Hash object with update() and digest().
  return hash('sha256', data, 'hex');
}

/**
 * The hashed record's canonical JSON: what `canonicalJson({ v, seq, id, … })` writes, built
 * straight in its sorted key order instead of as an object that is then walked and key-sorted.
 * `detailsJson` is `canonicalJson(fields.details)` when the caller has it already.
 */
export function entryHashInput(fields: HashedFields, detailsJson: string = canonicalJson(fields.details)): string {
  // Sorted: action actor contentHash details id outcome personalHash prevHash requestId resource seq ts userRef v
  let out = '{';
  out = member(out, '"action":', fields.action);
  out = member(out, '"actor":', fields.actor);
  out = member(out, '"contentHash":', fields.contentHash);
  if (fields.details !== undefined) out += (out.length > 1 ? ',"details":' : '"details":') + detailsJson;
  out = member(out, '"id":', fields.id);
  out = member(out, '"outcome":', fields.outcome);
  out = member(out, '"personalHash":', fields.personalHash);
  out = member(out, '"prevHash":', fields.prevHash);
  out = member(out, '"requestId":', fields.requestId);
  out = member(out, '"resource":', fields.resource);
  out = member(out, '"seq":', fields.seq);
  out = member(out, '"ts":', fields.ts);
  out = member(out, '"userRef":', fields.userRef);
  out = member(out, '"v":', AUDIT_HASH_VERSION);
  return out + '}';
}

/** One `"key":value` member, skipped when undefined (as canonicalJson drops it). */
function member(out: string, quotedKey: string, value: unknown): string {
  if (value === undefined) return out;
  return out + (out.length > 1 ? ',' : '') + quotedKey + canonicalJson(value);
}

export function computeEntryHash(fields: HashedFields, detailsJson?: string): string {
  return sha256Hex(entryHashInput(fields, detailsJson));
}

export function computeContentHash(content: AuditContent): string {
  return sha256Hex(canonicalJson(content));
}

/**
 * The same hash for content as the caller holds it (not yet through JSON): the hash of the JSON
 * that `JSON.stringify(content)` would write, without writing and parsing it.
 */
export function hashContentValue(content: AuditContent): string {
  return sha256Hex(canonicalJsonOfJsonValue(content));
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

/** Returned by plainRedactedCopy for a value it does not handle. */
export const NOT_PLAIN: unique symbol = Symbol('not plain JSON');

/**
 * `JSON.parse(JSON.stringify(redactSecrets(value)))` in one walk without the string, for the
 * usual details: plain objects and arrays of strings, booleans, null and finite numbers. Anything
 * whose round trip would change it (undefined members, -0, non-finite numbers, Dates, toJSON,
 * class instances, holes, very deep nesting) answers NOT_PLAIN, and the caller does the round trip.
 */
export function plainRedactedCopy(value: unknown, depth = 0): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case 'object': {
      if (depth > 32) return NOT_PLAIN;
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const v = plainRedactedCopy(value[i], depth + 1);
          if (v === NOT_PLAIN || value[i] === undefined) return NOT_PLAIN;
          out[i] = v;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
      const record = value as Record<string, unknown>;
      if ('toJSON' in record) return NOT_PLAIN;
      const out: Record<string, unknown> = {};
      for (const k in record) {
        if (!Object.prototype.hasOwnProperty.call(record, k)) continue;
        if (k === '__proto__') return NOT_PLAIN; // an own key JSON.parse makes; assigning it would set the prototype
        if (SECRET_KEY.test(k)) {
          out[k] = REDACTED;
          continue;
        }
        const v = plainRedactedCopy(record[k], depth + 1);
        if (v === NOT_PLAIN) return NOT_PLAIN;
        out[k] = v;
      }
      return out;
    }
    default:
      return NOT_PLAIN;
  }
}
