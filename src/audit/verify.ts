/**
 * Chain verification. Walks the entries in seq order, from the retention anchor (or genesis) to
 * the head row, and stops at the first problem:
 * - `missing_entries`: a seq is absent (a row was deleted), or the newest entries are gone (the head
 *   row names a later seq than the last entry present);
 * - `hash_mismatch`: an entry's recomputed hash differs from its stored hash (a field was edited,
 *   two rows' seq were swapped, or the hash itself was altered);
 * - `prev_hash_mismatch`: an entry does not link to its predecessor's hash (an entry was replaced
 *   or the chain reordered with recomputed hashes);
 * - `personal_hash_mismatch`: not-yet-erased personal fields were edited;
 * - `head_mismatch`: the head row's hash differs from the last entry's hash;
 * - `anchor_unconfirmed`: the retention anchor is not confirmed by an `audit.retention` checkpoint
 *   entry in the chain (someone deleted a prefix and forged the anchor).
 * Limits: the hashes are unkeyed, so someone able to rewrite every row AND the head row can forge
 * a consistent chain; export `head()` to somewhere else periodically to detect that.
 */
import type { SqlExecutor } from '../store/sql.js';
import { computeEntryHash, computePersonalHash, GENESIS_HASH } from './entry.js';

export type VerifyFailureReason =
  | 'missing_entries'
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'personal_hash_mismatch'
  | 'head_mismatch'
  | 'anchor_unconfirmed';

export interface VerifyReport {
  ok: boolean;
  /** Entries whose hash and link were checked and found good. */
  entriesChecked: number;
  /** Seq the walk started after (0, or the last entry deleted by retention). */
  anchorSeq: number;
  /** The head row as read at the start of the walk. */
  head: { seq: number; hash: string };
  /** The first problem, when `ok` is false. */
  firstBad?: { seq: number; reason: VerifyFailureReason; message: string };
}

export const RETENTION_ACTION = 'audit.retention';
const PAGE = 1000;

interface VerifyRow {
  seq: number | string;
  id: string;
  ts: Date | string;
  request_id: string | null;
  actor: string;
  user_ref: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  details: Record<string, unknown> | string;
  personal_hash: string | null;
  personal: Record<string, unknown> | string | null;
  personal_salt: string | null;
  content_hash: string | null;
  prev_hash: string;
  hash: string;
}

function parseJson(v: Record<string, unknown> | string): Record<string, unknown> {
  return typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : v;
}

export async function verifyAuditChain(db: SqlExecutor): Promise<VerifyReport> {
  const headRow = (await db.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM conduit_audit_head WHERE id = 1')).rows[0];
  const head = { seq: Number(headRow?.seq ?? 0), hash: headRow?.hash ?? GENESIS_HASH };
  const anchorRow = (await db.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM conduit_audit_anchor WHERE id = 1')).rows[0];
  const anchor = { seq: Number(anchorRow?.seq ?? 0), hash: anchorRow?.hash ?? GENESIS_HASH };

  let checked = 0;
  const fail = (seq: number, reason: VerifyFailureReason, message: string): VerifyReport => ({
    ok: false,
    entriesChecked: checked,
    anchorSeq: anchor.seq,
    head,
    firstBad: { seq, reason, message },
  });

  let expectedSeq = anchor.seq + 1;
  let prevHash = anchor.hash;
  let anchorConfirmed = anchor.seq === 0;
  // Only entries up to the head read above: later ones belong to appends that raced this walk.
  for (;;) {
    const rows = (
      await db.query<VerifyRow>(
        `SELECT seq, id, ts, request_id, actor, user_ref, action, resource, outcome, details, personal_hash, personal, personal_salt, content_hash, prev_hash, hash
           FROM conduit_audit_entries WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT ${PAGE}`,
        [expectedSeq, head.seq],
      )
    ).rows;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) {
        return fail(expectedSeq, 'missing_entries', `entries ${expectedSeq}..${seq - 1} are missing (deleted)`);
      }
      const details = parseJson(row.details);
      const recomputed = computeEntryHash({
        seq,
        id: row.id,
        ts: (row.ts instanceof Date ? row.ts : new Date(row.ts)).toISOString(),
        requestId: row.request_id,
        actor: row.actor,
        userRef: row.user_ref,
        action: row.action,
        resource: row.resource,
        outcome: row.outcome,
        details,
        contentHash: row.content_hash,
        personalHash: row.personal_hash,
        prevHash: row.prev_hash,
      });
      if (recomputed !== row.hash) {
        return fail(seq, 'hash_mismatch', `entry ${seq} does not match its hash: a field or the hash was altered, or the entry was moved`);
      }
      if (row.prev_hash !== prevHash) {
        return fail(seq, 'prev_hash_mismatch', `entry ${seq} does not link to the hash of entry ${seq - 1}`);
      }
      if (row.personal !== null && row.personal_salt !== null && row.personal_hash !== null) {
        if (computePersonalHash(row.personal_salt, parseJson(row.personal)) !== row.personal_hash) {
          return fail(seq, 'personal_hash_mismatch', `entry ${seq}: personal fields were altered`);
        }
      }
      if (
        !anchorConfirmed &&
        row.action === RETENTION_ACTION &&
        Number(details.deletedThroughSeq) === anchor.seq &&
        details.deletedThroughHash === anchor.hash
      ) {
        anchorConfirmed = true;
      }
      prevHash = row.hash;
      expectedSeq = seq + 1;
      checked++;
    }
    if (rows.length < PAGE) break;
  }
  if (expectedSeq <= head.seq) {
    return fail(expectedSeq, 'missing_entries', `entries ${expectedSeq}..${head.seq} are missing (the newest entries were deleted)`);
  }
  if (head.seq > anchor.seq && prevHash !== head.hash) {
    return fail(head.seq, 'head_mismatch', `the head row's hash differs from entry ${head.seq}'s hash`);
  }
  if (!anchorConfirmed) {
    return fail(anchor.seq + 1, 'anchor_unconfirmed', `no ${RETENTION_ACTION} checkpoint confirms the anchor at seq ${anchor.seq}`);
  }
  return { ok: true, entriesChecked: checked, anchorSeq: anchor.seq, head };
}
