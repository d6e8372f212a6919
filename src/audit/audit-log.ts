/**
 * The append-only, hash-chained audit log over the relational port (embedded PGlite or PostgreSQL).
 *
 * Linearity across replicas: every append runs in a transaction that first locks the single head
 * row (`SELECT … FOR UPDATE`), so appends from any number of processes are serialised and each
 * links to the one before it, with gap-free seqs. Idempotency: with a `requestId`, an append whose
 * `(requestId, action)` is already stored returns the stored entry (checked under the head lock,
 * and backed by a unique index), so a retry after a crash never duplicates.
 *
 * GDPR erasure keeps the chain verifiable because the hash never covers the erasable columns
 * (clear user id, personal fields, content): see entry.ts. Retention deletes whole entries older
 * than N days (a prefix of the chain), records the last deleted seq and hash as the anchor, and
 * appends an `audit.retention` checkpoint entry carrying them, so `verify` starts from the anchor
 * and checks that the chain itself vouches for it.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { ConduitError } from '../core/errors.js';
import type { SqlDatabase, SqlExecutor } from '../store/sql.js';
import { runMigrations } from '../store/migrations.js';
import { assertAuditKey, decryptContent, encryptContent } from './content-cipher.js';
import {
  computeContentHash,
  computeEntryHash,
  computePersonalHash,
  hashContentValue,
  NOT_PLAIN,
  plainRedactedCopy,
  redactSecrets,
  type AuditContent,
  type AuditEntry,
  type AuditEntryInput,
} from './entry.js';
import { canonicalJson } from './canonical-json.js';
import { ENTRY_COLUMNS, rowToEntry, type AuditEntryRow } from './entry-row.js';
import { auditMigrations } from './schema.js';
import { RETENTION_ACTION, verifyAuditChain, type VerifyReport } from './verify.js';

export interface AuditLogOptions {
  db: SqlDatabase;
  /** `hash` (default): only sha256 of prompt+response is kept. `encrypted`: AES-256-GCM content too. */
  content?: 'hash' | 'encrypted';
  /** 32 bytes; required for `encrypted` and for `readContent`. See `resolveAuditKey`. */
  encryptionKey?: Buffer;
  /** Whole entries older than this many days are deleted by `applyRetention`. */
  retention?: { days: number };
  /** HMAC key for user pseudonyms; default: a random key generated once and kept in the database. */
  pseudonymKey?: Buffer;
  /** Run the audit migrations (default true); turn off when the caller runs them centrally. */
  migrate?: boolean;
  /**
   * Embedded database only (ignored on PostgreSQL): append a batch in one statement, chained after
   * the head this log last wrote, instead of a transaction of four (see EMBEDDED_APPEND_STATEMENT).
   * Default false. Cheaper per batch, but a buffer that writes as soon as the previous batch is done
   * then writes more, smaller batches: turn it on together with a batching window of tens of
   * milliseconds for entries nobody awaits (`createAuditBuffer`'s maxDelayMs), or the embedded
   * database's thread spends the saving on the extra batches (measured in the gateway benchmark).
   */
  oneStatementAppends?: boolean;
}

export interface AuditQuery {
  /** Inclusive lower bound on `ts`. */
  from?: Date;
  /** Exclusive upper bound on `ts`. */
  to?: Date;
  actor?: string;
  action?: string;
  /** Matched through the pseudonym, so erased entries of the user are still found. */
  userId?: string;
  requestId?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Seq order; default `asc`. */
  order?: 'asc' | 'desc';
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Present when more entries may follow. */
  nextCursor?: string;
}

export interface EraseOptions {
  /** Who asked for the erasure; recorded on the `gdpr.erase` entry. Default `admin`. */
  actor?: string;
  requestId?: string;
}

export interface RetentionResult {
  entriesDeleted: number;
  /** The seq of the `audit.retention` checkpoint entry, when entries were deleted. */
  checkpointSeq?: number;
}

export interface AuditLog {
  /** What the log keeps of `content`: only its hash, or the hash and the content encrypted. */
  readonly contentMode: 'hash' | 'encrypted';
  /** Appends one entry (idempotent by `(requestId, action)`). Resolves once it is committed. */
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Appends several entries in one transaction; results are in input order. */
  appendMany(entries: readonly AuditEntryInput[]): Promise<AuditEntry[]>;
  verify(): Promise<VerifyReport>;
  query(q?: AuditQuery): Promise<AuditPage>;
  /** The decrypted prompt/response of an entry; null when none is stored (hash mode or erased). */
  readContent(seq: number): Promise<AuditContent | null>;
  /** Erases the user's clear id, personal fields and content; records a `gdpr.erase` entry. */
  eraseUser(userId: string, options?: EraseOptions): Promise<{ entriesErased: number; eraseEntry: AuditEntry }>;
  /** Deletes entries older than `retention.days` before `now`. No-op without a retention policy. */
  applyRetention(now?: Date): Promise<RetentionResult>;
  /** The last seq and hash: publish it elsewhere to detect a wholesale rewrite of the chain. */
  head(): Promise<{ seq: number; hash: string }>;
  /** The pseudonym the log stores for a user id. */
  userRef(userId: string): string;
}

export const GDPR_ERASE_ACTION = 'gdpr.erase';
// Rows per INSERT: a batch travels as one JSON parameter, so this only bounds its size.
const INSERT_CHUNK = 1000;
/**
 * One statement and one parameter per batch: the rows go as a JSON array of arrays (one native
 * JSON.stringify) and PostgreSQL unpacks them, instead of 18 bind parameters per row and a
 * statement text that grows with the batch. The same text for every batch, on both adapters.
 * The head row moves to the last inserted entry in the same statement.
 * details / personal travel as nested JSON (stored as jsonb exactly as before); content as hex.
 * The parameter is parsed as jsonb, not json: `->>` on a json value re-scans its text from the
 * start for every column, so 18 columns cost 18 partial parses per row (most of the insert's
 * time on the embedded WASM PostgreSQL); a jsonb array element is indexed once parsed.
 */
const ENTRY_INSERT = `INSERT INTO conduit_audit_entries
    (seq, id, ts, request_id, actor, user_ref, user_id, action, resource, outcome, details, personal_hash, personal, personal_salt, content_hash, content, prev_hash, hash)
  SELECT (r->>0)::bigint, (r->>1)::uuid, (r->>2)::timestamptz, r->>3, r->>4, r->>5, r->>6, r->>7, r->>8, r->>9,
         r->10, r->>11, CASE WHEN jsonb_typeof(r->12) = 'null' THEN NULL ELSE r->12 END, r->>13, r->>14,
         decode(r->>15, 'hex'), r->>16, r->>17
    FROM jsonb_array_elements($1::jsonb) AS r`;
const INSERT_STATEMENT = `WITH inserted AS (${ENTRY_INSERT})
  UPDATE conduit_audit_head SET seq = $2, hash = $3 WHERE id = 1`;
/**
 * A whole append in one autocommit statement, for the embedded database, where this process is
 * the only writer and so usually knows the head: the entries are chained after the head it last
 * wrote, and the statement moves the head only if it is still that one (the UPDATE locks the row
 * and, after waiting for a concurrent writer, re-checks the condition on the new version), and
 * inserts the rows only if the head moved. It replaces BEGIN, the locking SELECT, the INSERT and
 * COMMIT: each statement costs a fixed fraction of a millisecond of CPU on the WASM PostgreSQL,
 * which at a batch every few milliseconds kept its thread busy. Inserted rows = all or none.
 */
const EMBEDDED_APPEND_STATEMENT = `WITH moved AS (
    UPDATE conduit_audit_head SET seq = $2, hash = $3 WHERE id = 1 AND seq = $4 AND hash = $5 RETURNING 1)
  ${ENTRY_INSERT} WHERE EXISTS (SELECT 1 FROM moved)`;
/** An entry prepared outside the transaction: everything but seq, ts, prevHash and hash. */
interface PreparedEntry {
  id: string;
  requestId: string | null;
  actor: string;
  userId: string | null;
  userRef: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  details: Record<string, unknown>;
  /** canonicalJson(details): hashed into the entry and sent as the row's details (jsonb takes any key order). */
  detailsJson: string;
  personal: Record<string, unknown> | null;
  personalSalt: string | null;
  personalHash: string | null;
  contentHash: string | null;
  content: Buffer | null;
}

export async function createAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { db } = options;
  const mode = options.content ?? 'hash';
  const key = options.encryptionKey === undefined ? undefined : assertAuditKey(options.encryptionKey);
  if (mode === 'encrypted' && key === undefined) {
    throw new ConduitError('invalid_request', 'audit.content is "encrypted" but no audit.encryption_key / CONDUIT_AUDIT_KEY is set', {
      param: 'audit.encryption_key',
    });
  }
  if (options.retention !== undefined && !(options.retention.days > 0)) {
    throw new ConduitError('invalid_request', 'audit.retention.days must be a positive number', { param: 'audit.retention.days' });
  }
  if (options.migrate !== false) await runMigrations(db, auditMigrations);
  const pseudonymKey = options.pseudonymKey ?? (await loadPseudonymKey(db));
  const userRef = (userId: string): string => createHmac('sha256', pseudonymKey).update(userId, 'utf8').digest('hex');

  function prepare(input: AuditEntryInput): PreparedEntry {
    if (typeof input.actor !== 'string' || input.actor === '') throw new ConduitError('invalid_request', 'audit entry needs an actor');
    if (typeof input.action !== 'string' || input.action === '') throw new ConduitError('invalid_request', 'audit entry needs an action');
    if (typeof input.outcome !== 'string' || input.outcome === '') throw new ConduitError('invalid_request', 'audit entry needs an outcome');
    if (input.contentHash !== undefined && !/^[0-9a-f]{64}$/.test(input.contentHash)) {
      throw new ConduitError('invalid_request', 'audit contentHash must be 64 lowercase hex characters');
    }
    const id = randomUUID();
    // The value hashed now must be exactly the value the database hands back: a JSON round trip,
    // done as a plain copy for the usual flat details (no string built and parsed per entry).
    const plain = plainRedactedCopy(input.details ?? {});
    const details = (plain === NOT_PLAIN ? JSON.parse(JSON.stringify(redactSecrets(input.details ?? {}))) : plain) as Record<string, unknown>;
    let personal: Record<string, unknown> | null = null;
    let personalSalt: string | null = null;
    let personalHash: string | null = null;
    if (input.personal !== undefined && Object.keys(input.personal).length > 0) {
      personal = JSON.parse(JSON.stringify(input.personal)) as Record<string, unknown>;
      personalSalt = randomBytes(16).toString('hex');
      personalHash = computePersonalHash(personalSalt, personal);
    }
    let contentHash = input.contentHash ?? null;
    let content: Buffer | null = null;
    if (input.content !== undefined) {
      // The hash of the content as JSON would carry it (what readContent hands back and re-checks),
      // without a JSON.stringify + JSON.parse round trip per entry on the request path.
      contentHash = hashContentValue(input.content);
      if (mode === 'encrypted' && key !== undefined) content = encryptContent(key, JSON.stringify(input.content), id);
    }
    return {
      id,
      requestId: input.requestId ?? null,
      actor: input.actor,
      userId: input.userId ?? null,
      userRef: input.userId === undefined ? null : userRef(input.userId),
      action: input.action,
      resource: input.resource ?? null,
      outcome: input.outcome,
      details,
      detailsJson: canonicalJson(details),
      personal,
      personalSalt,
      personalHash,
      contentHash,
      content,
    };
  }

  // The head this log last wrote, on the embedded database only (see EMBEDDED_APPEND_STATEMENT):
  // there this process is the only writer. Only a hint: the statement checks it under the lock.
  const oneStatement = options.oneStatementAppends === true && db.kind === 'embedded';
  let knownHead: Head | undefined;
  const remember = (result: AppendResult): AuditEntry[] => {
    if (oneStatement) knownHead = result.head;
    return result.entries;
  };

  const log: AuditLog = {
    contentMode: mode,
    async append(entry) {
      const [stored] = await log.appendMany([entry]);
      return stored!;
    },

    async appendMany(entries) {
      if (entries.length === 0) return [];
      const prepared = entries.map(prepare);
      // Fast paths: almost every batch is new entries, so skip the lookup of stored (requestId,
      // action) pairs (a statement and an index probe per entry) and let the unique index refuse a
      // duplicate. Under the head lock nobody else can insert meanwhile, so a refusal only means an
      // entry is already stored (a retry after a crash): nothing is written and the batch goes
      // again with the lookup, which returns the stored entries as before.
      let stored = repeatsKey(prepared);
      if (!stored && knownHead !== undefined && prepared.length <= INSERT_CHUNK) {
        const head = knownHead;
        const chained = chain(prepared, head, new Map());
        try {
          const res = await db.query(EMBEDDED_APPEND_STATEMENT, [rowsJson(chained.inserts), chained.head.seq, chained.head.hash, head.seq, head.hash]);
          if (res.rowCount === chained.inserts.length) return remember({ entries: chained.results, head: chained.head });
        } catch (err) {
          if (!isIdempotencyConflict(err)) throw err;
          stored = true;
        }
        // The head moved (another writer) or an entry is stored: take the lock and look.
        knownHead = undefined;
      }
      if (!stored) {
        try {
          return remember(await db.transaction((tx) => appendPrepared(tx, prepared, { assumeNew: true })));
        } catch (err) {
          if (!isIdempotencyConflict(err)) throw err;
        }
      }
      return remember(await db.transaction((tx) => appendPrepared(tx, prepared)));
    },

    verify: () => verifyAuditChain(db),

    async query(q = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown): void => {
        params.push(value);
        where.push(clause.replace('?', `$${params.length}`));
      };
      const order = q.order === 'desc' ? 'DESC' : 'ASC';
      if (q.from) add('ts >= ?', q.from.toISOString());
      if (q.to) add('ts < ?', q.to.toISOString());
      if (q.actor !== undefined) add('actor = ?', q.actor);
      if (q.action !== undefined) add('action = ?', q.action);
      if (q.userId !== undefined) add('user_ref = ?', userRef(q.userId));
      if (q.requestId !== undefined) add('request_id = ?', q.requestId);
      if (q.cursor !== undefined) add(order === 'ASC' ? 'seq > ?' : 'seq < ?', decodeCursor(q.cursor));
      const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
      const rows = (
        await db.query<AuditEntryRow>(
          `SELECT ${ENTRY_COLUMNS} FROM conduit_audit_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order} LIMIT ${limit + 1}`,
          params,
        )
      ).rows;
      const entries = rows.slice(0, limit).map(rowToEntry);
      const page: AuditPage = { entries };
      if (rows.length > limit) page.nextCursor = encodeCursor(entries[entries.length - 1]!.seq);
      return page;
    },

    async readContent(seq) {
      const row = (
        await db.query<{ id: string; content: Uint8Array | null; content_hash: string | null }>(
          'SELECT id, content, content_hash FROM conduit_audit_entries WHERE seq = $1',
          [seq],
        )
      ).rows[0];
      if (row === undefined) throw new ConduitError('not_found', `no audit entry with seq ${seq}`);
      if (row.content === null) return null;
      if (key === undefined) throw new ConduitError('invalid_request', 'reading audit content needs the audit encryption key');
      const plaintext = decryptContent(key, Buffer.from(row.content), row.id);
      const content = JSON.parse(plaintext) as AuditContent;
      if (row.content_hash !== computeContentHash(content)) {
        throw new ConduitError('internal', `audit entry ${seq}: content does not match its hashed contentHash`);
      }
      return content;
    },

    async eraseUser(userId, eraseOptions = {}) {
      const ref = userRef(userId);
      const eraseEntry = prepare({
        actor: eraseOptions.actor ?? 'admin',
        action: GDPR_ERASE_ACTION,
        outcome: 'success',
        ...(eraseOptions.requestId === undefined ? {} : { requestId: eraseOptions.requestId }),
      });
      // The erase entry names the user only by pseudonym: a clear id would defeat the erasure.
      eraseEntry.userRef = ref;
      return db.transaction(async (tx) => {
        await lockHead(tx);
        const erased = await tx.query(
          `UPDATE conduit_audit_entries
              SET user_id = NULL, personal = NULL, personal_salt = NULL, content = NULL, erased_at = now()
            WHERE (user_id = $1 OR user_ref = $2)
              AND (user_id IS NOT NULL OR personal IS NOT NULL OR content IS NOT NULL)`,
          [userId, ref],
        );
        eraseEntry.details = { userRef: ref, entriesErased: erased.rowCount };
        knownHead = undefined;
        const [stored] = (await appendPrepared(tx, [eraseEntry])).entries;
        return { entriesErased: erased.rowCount, eraseEntry: stored! };
      });
    },

    async applyRetention(now = new Date()) {
      if (options.retention === undefined) return { entriesDeleted: 0 };
      const days = options.retention.days;
      const cutoff = new Date(now.getTime() - days * 86_400_000);
      return db.transaction(async (tx) => {
        const head = await lockHead(tx);
        const firstKept = (
          await tx.query<{ seq: number | string | null }>('SELECT min(seq) AS seq FROM conduit_audit_entries WHERE ts >= $1', [cutoff.toISOString()])
        ).rows[0]?.seq;
        // Only a prefix of the chain can go, so an old entry after a newer one (clock skew
        // between replicas) waits for the next run.
        const lastDeleted = firstKept === null || firstKept === undefined ? head.seq : Number(firstKept) - 1;
        const anchorSeq = Number((await tx.query<{ seq: number | string }>('SELECT seq FROM conduit_audit_anchor WHERE id = 1')).rows[0]?.seq ?? 0);
        if (lastDeleted <= anchorSeq) return { entriesDeleted: 0 };
        const last = (await tx.query<{ hash: string }>('SELECT hash FROM conduit_audit_entries WHERE seq = $1', [lastDeleted])).rows[0];
        if (last === undefined) {
          throw new ConduitError('internal', `audit retention: entry ${lastDeleted} is missing; run \`conduit audit verify\``);
        }
        const deleted = await tx.query('DELETE FROM conduit_audit_entries WHERE seq <= $1', [lastDeleted]);
        await tx.query(
          `INSERT INTO conduit_audit_anchor (id, seq, hash, created_at) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, created_at = EXCLUDED.created_at`,
          [lastDeleted, last.hash, now.toISOString()],
        );
        const checkpoint = prepare({
          actor: 'system',
          action: RETENTION_ACTION,
          outcome: 'success',
          details: {
            deletedThroughSeq: lastDeleted,
            deletedThroughHash: last.hash,
            entriesDeleted: deleted.rowCount,
            retentionDays: days,
            cutoff: cutoff.toISOString(),
          },
        });
        knownHead = undefined;
        const [stored] = (await appendPrepared(tx, [checkpoint])).entries;
        return { entriesDeleted: deleted.rowCount, checkpointSeq: stored!.seq };
      });
    },

    async head() {
      const row = (await db.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM conduit_audit_head WHERE id = 1')).rows[0];
      if (row === undefined) throw new ConduitError('internal', 'audit head row is missing');
      return { seq: Number(row.seq), hash: row.hash };
    },

    userRef,
  };
  return log;
}

async function lockHead(tx: SqlExecutor): Promise<{ seq: number; hash: string }> {
  const row = (await tx.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM conduit_audit_head WHERE id = 1 FOR UPDATE')).rows[0];
  if (row === undefined) throw new ConduitError('internal', 'audit head row is missing; were the audit migrations run?');
  return { seq: Number(row.seq), hash: row.hash };
}

/** The idempotency key of an entry: injective (the length prefix fixes where the request id ends). */
function keyOf(p: { requestId: string | null; action: string }): string | null {
  return p.requestId === null ? null : `${p.requestId.length}:${p.requestId}${p.action}`;
}

/** Whether two entries of the batch share an idempotency key (the second must resolve to the first). */
function repeatsKey(prepared: readonly PreparedEntry[]): boolean {
  const seen = new Set<string>();
  for (const p of prepared) {
    const key = keyOf(p);
    if (key === null) continue;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

const IDEMPOTENCY_INDEX = 'conduit_audit_entries_idempotency';

/** A unique violation (23505) of the (request_id, action) index, from either adapter. */
function isIdempotencyConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object' || e.code !== '23505') return false;
  return e.constraint === IDEMPOTENCY_INDEX || (typeof e.message === 'string' && e.message.includes(`"${IDEMPOTENCY_INDEX}"`));
}

/**
 * Inside a transaction: lock the head, skip already-stored (requestId, action) pairs, chain the
 * rest. With `assumeNew`, the batch is known to repeat no key and the stored pairs are not looked
 * up: a stored one makes the INSERT fail with a unique violation of the idempotency index.
 */
async function appendPrepared(tx: SqlExecutor, prepared: readonly PreparedEntry[], options: { assumeNew?: boolean } = {}): Promise<AppendResult> {
  const head = await lockHead(tx);
  const existing = new Map<string, AuditEntry>();
  const keyed = options.assumeNew === true ? [] : prepared.filter((p) => p.requestId !== null);
  if (keyed.length > 0) {
    // `request_id = ANY(…)` lets the planner use the (request_id, action) index; a join with the
    // unnested pairs was planned as a scan of the whole table, which grows with every request.
    // Rows of the same request id under another action are filtered out here.
    const wanted = new Set<string>();
    for (const p of keyed) wanted.add(keyOf(p)!);
    const rows = (
      await tx.query<AuditEntryRow>(`SELECT ${ENTRY_COLUMNS} FROM conduit_audit_entries WHERE request_id = ANY($1::text[])`, [
        [...new Set(keyed.map((p) => p.requestId))],
      ])
    ).rows;
    for (const row of rows) {
      const entry = rowToEntry(row);
      const key = keyOf(entry)!;
      if (wanted.has(key)) existing.set(key, entry);
    }
  }

  const chained = chain(prepared, head, existing);
  const { inserts } = chained;
  for (let i = 0; i < inserts.length; i += INSERT_CHUNK) {
    const chunk = inserts.length <= INSERT_CHUNK ? inserts : inserts.slice(i, i + INSERT_CHUNK);
    const last = chunk[chunk.length - 1]!.entry;
    // The head moves in the same statement as the rows it now points at (one round trip less).
    await tx.query(INSERT_STATEMENT, [rowsJson(chunk), last.seq, last.hash]);
  }
  return { entries: chained.results, head: chained.head };
}

interface AppendResult {
  /** The stored entries, in input order. */
  entries: AuditEntry[];
  /** The head after the append (unchanged when every entry was already stored). */
  head: Head;
}

interface Head {
  seq: number;
  hash: string;
}

interface Insert {
  entry: AuditEntry;
  prepared: PreparedEntry;
}

/** Links the entries after `head`, skipping those in `existing` (and keys repeated in the batch). */
function chain(prepared: readonly PreparedEntry[], head: Head, existing: Map<string, AuditEntry>): { results: AuditEntry[]; inserts: Insert[]; head: Head } {
  const ts = new Date().toISOString();
  let seq = head.seq;
  let prevHash = head.hash;
  const results: AuditEntry[] = [];
  const inserts: Insert[] = [];
  for (const p of prepared) {
    const key = keyOf(p);
    const already = key === null ? undefined : existing.get(key);
    if (already !== undefined) {
      results.push(already);
      continue;
    }
    seq += 1;
    // Built once with every field (the hash reads only the hashed ones).
    const entry: AuditEntry = {
      seq,
      id: p.id,
      ts,
      requestId: p.requestId,
      actor: p.actor,
      userRef: p.userRef,
      action: p.action,
      resource: p.resource,
      outcome: p.outcome,
      details: p.details,
      contentHash: p.contentHash,
      personalHash: p.personalHash,
      prevHash,
      userId: p.userId,
      personal: p.personal,
      hasContent: p.content !== null,
      hash: '',
      erasedAt: null,
    };
    const hash = computeEntryHash(entry, p.detailsJson);
    entry.hash = hash;
    prevHash = hash;
    results.push(entry);
    inserts.push({ entry, prepared: p });
    // A duplicate key later in the same batch resolves to this entry.
    if (key !== null) existing.set(key, entry);
  }
  return { results, inserts, head: { seq, hash: prevHash } };
}

/** The JSON parameter of INSERT_STATEMENT / EMBEDDED_APPEND_STATEMENT: one array per row. */
function rowsJson(chunk: readonly Insert[]): string {
  // Written by hand so the details go as the canonical JSON already made for the hash, instead
  // of JSON.stringify walking them again; the other values are exactly what JSON.stringify writes.
  let out = '[';
  for (let i = 0; i < chunk.length; i++) {
    const { entry: e, prepared: p } = chunk[i]!;
    out +=
      (i === 0 ? '[' : ',[') +
      String(e.seq) + ',' + JSON.stringify(e.id) + ',' + JSON.stringify(e.ts) + ',' + jsonOrNull(e.requestId) + ',' +
      JSON.stringify(e.actor) + ',' + jsonOrNull(e.userRef) + ',' + jsonOrNull(e.userId) + ',' + JSON.stringify(e.action) + ',' +
      jsonOrNull(e.resource) + ',' + JSON.stringify(e.outcome) + ',' + p.detailsJson + ',' + jsonOrNull(e.personalHash) + ',' +
      (p.personal === null ? 'null' : JSON.stringify(p.personal)) + ',' + jsonOrNull(p.personalSalt) + ',' + jsonOrNull(e.contentHash) + ',' +
      (p.content === null ? 'null' : `"${p.content.toString('hex')}"`) + ',' + JSON.stringify(e.prevHash) + ',' + JSON.stringify(e.hash) + ']';
  }
  return out + ']';
}

function jsonOrNull(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

async function loadPseudonymKey(db: SqlDatabase): Promise<Buffer> {
  await db.query(`INSERT INTO conduit_audit_meta (key, value) VALUES ('pseudonym_key', $1) ON CONFLICT (key) DO NOTHING`, [
    randomBytes(32).toString('base64'),
  ]);
  const row = (await db.query<{ value: string }>(`SELECT value FROM conduit_audit_meta WHERE key = 'pseudonym_key'`)).rows[0];
  if (row === undefined) throw new ConduitError('internal', 'audit pseudonym key is missing');
  return Buffer.from(row.value, 'base64');
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (m === null) throw new ConduitError('invalid_request', 'invalid audit cursor', { param: 'cursor' });
  return Number(m[1]);
}
