/** SQL for the key table, written once for both adapters (PGlite and PostgreSQL speak the same SQL). */
import type { SqlExecutor } from '../store/sql.js';
import type { JsonValue, KeyBudget, KeyLimits, KeyRecord } from './key-record.js';
import { KEYS_TABLE } from './key-migrations.js';

/** A record and the hash its secret must match. The hash never leaves the auth module. */
export interface StoredKey {
  record: KeyRecord;
  secretHash: string;
}

interface KeyRow {
  id: string;
  secret_hash: string;
  name: string;
  owner_user_id: string | null;
  team: string | null;
  allowed_models: unknown;
  limits: unknown;
  budgets: unknown;
  guardrails: unknown;
  metadata: unknown;
  created_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  rotated_from: string | null;
  last_used_at: Date | string | null;
}

const COLUMNS =
  'id, secret_hash, name, owner_user_id, team, allowed_models, limits, budgets, guardrails, metadata, created_at, expires_at, revoked_at, rotated_from, last_used_at';

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function json<T>(value: unknown, fallback: T): T {
  // Both adapters parse jsonb already; a string only shows up with a custom type parser.
  if (value === null || value === undefined) return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function fromRow(row: KeyRow): StoredKey {
  return {
    secretHash: row.secret_hash,
    record: {
      id: row.id,
      name: row.name,
      ownerUserId: row.owner_user_id,
      team: row.team,
      allowedModels: json<string[]>(row.allowed_models, []),
      limits: json<KeyLimits>(row.limits, {}),
      budgets: json<KeyBudget[]>(row.budgets, []),
      guardrails: json<JsonValue | null>(row.guardrails, null),
      metadata: json<Record<string, JsonValue>>(row.metadata, {}),
      createdAt: iso(row.created_at)!,
      expiresAt: iso(row.expires_at),
      revokedAt: iso(row.revoked_at),
      rotatedFrom: row.rotated_from,
      lastUsedAt: iso(row.last_used_at),
    },
  };
}

function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export async function insertKey(db: SqlExecutor, stored: StoredKey): Promise<void> {
  const r = stored.record;
  await db.query(
    `INSERT INTO ${KEYS_TABLE} (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15)`,
    [
      r.id,
      stored.secretHash,
      r.name,
      r.ownerUserId,
      r.team,
      jsonParam(r.allowedModels),
      jsonParam(r.limits),
      jsonParam(r.budgets),
      jsonParam(r.guardrails),
      jsonParam(r.metadata),
      r.createdAt,
      r.expiresAt,
      r.revokedAt,
      r.rotatedFrom,
      r.lastUsedAt,
    ],
  );
}

export async function selectKey(db: SqlExecutor, id: string, forUpdate = false): Promise<StoredKey | undefined> {
  const res = await db.query<KeyRow>(`SELECT ${COLUMNS} FROM ${KEYS_TABLE} WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  const row = res.rows[0];
  return row === undefined ? undefined : fromRow(row);
}

export async function selectSuccessorId(db: SqlExecutor, id: string): Promise<string | undefined> {
  const res = await db.query<{ id: string }>(`SELECT id FROM ${KEYS_TABLE} WHERE rotated_from = $1`, [id]);
  return res.rows[0]?.id;
}

export interface KeyListFilter {
  team?: string;
  owner?: string;
  includeRevoked?: boolean;
  limit?: number;
}

export async function selectKeys(db: SqlExecutor, filter: KeyListFilter): Promise<KeyRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.team !== undefined) {
    params.push(filter.team);
    where.push(`team = $${params.length}`);
  }
  if (filter.owner !== undefined) {
    params.push(filter.owner);
    where.push(`owner_user_id = $${params.length}`);
  }
  if (filter.includeRevoked !== true) where.push('revoked_at IS NULL');
  params.push(filter.limit ?? 1000);
  const res = await db.query<KeyRow>(
    `SELECT ${COLUMNS} FROM ${KEYS_TABLE}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at, id LIMIT $${params.length}`,
    params,
  );
  return res.rows.map((row) => fromRow(row).record);
}

/** Writes every mutable column of the record (not the hash, id, createdAt or lastUsedAt). */
export async function updateKeyRow(db: SqlExecutor, r: KeyRecord): Promise<void> {
  await db.query(
    `UPDATE ${KEYS_TABLE} SET name = $2, owner_user_id = $3, team = $4, allowed_models = $5::jsonb, limits = $6::jsonb,
       budgets = $7::jsonb, guardrails = $8::jsonb, metadata = $9::jsonb, expires_at = $10, revoked_at = $11
     WHERE id = $1`,
    [
      r.id,
      r.name,
      r.ownerUserId,
      r.team,
      jsonParam(r.allowedModels),
      jsonParam(r.limits),
      jsonParam(r.budgets),
      jsonParam(r.guardrails),
      jsonParam(r.metadata),
      r.expiresAt,
      r.revokedAt,
    ],
  );
}

/** One statement for a whole batch of lastUsedAt marks; a later mark never goes backwards. */
export async function touchKeys(db: SqlExecutor, marks: ReadonlyMap<string, number>): Promise<void> {
  if (marks.size === 0) return;
  const ids: string[] = [];
  const times: string[] = [];
  for (const [id, ms] of marks) {
    ids.push(id);
    times.push(new Date(ms).toISOString());
  }
  await db.query(
    `UPDATE ${KEYS_TABLE} AS k SET last_used_at = GREATEST(COALESCE(k.last_used_at, v.ts), v.ts)
     FROM (SELECT unnest($1::text[]) AS id, unnest($2::timestamptz[]) AS ts) AS v
     WHERE k.id = v.id`,
    [ids, times],
  );
}
