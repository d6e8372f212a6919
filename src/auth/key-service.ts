/**
 * Virtual API keys: create, list, get, update, revoke, rotate, and the per-request authenticate.
 * Every method is what an `/admin/keys` route needs after it checked the master key: routes parse
 * JSON, call one method, and return its result (a ConduitError maps to its HTTP status).
 *
 * Consistency across replicas: all state is in the database; each service instance caches key
 * lookups for `cacheTtlMs` (default 5 s). A revoke, update or rotate takes effect at once on the
 * instance that made it and within `cacheTtlMs` on every other replica. Expiry is checked against
 * the clock on every request, so it is exact everywhere.
 *
 * Rotation issues a NEW key (new id, same settings, `rotatedFrom` = old id). The old key keeps
 * working for `graceMs` (its expiresAt is pulled in to now + graceMs) so clients can be redeployed;
 * with graceMs 0 (the default) it is revoked at once. A key can be rotated only once; rotate its
 * successor next. Because counters are per key id, per-key rate limits and budgets start afresh on
 * the new key; use user or team budgets where spend must carry across rotations.
 */
import { ConduitError } from '../core/errors.js';
import { runMigrations } from '../store/migrations.js';
import type { SqlDatabase } from '../store/sql.js';
import type { CachedLookup } from './key-cache.js';
import { KeyCache } from './key-cache.js';
import { formatKey, generateKeyId, generateSecret, isKeyId, parseKey } from './key-format.js';
import { burnVerification, hashSecret, normalisePepper, verifySecret } from './key-hash.js';
import { KEY_MIGRATIONS } from './key-migrations.js';
import type { CreateKeyInput, KeyRecord, UpdateKeyInput } from './key-record.js';
import { createKeyInputSchema, parseInput, toEpochMs, updateKeyInputSchema } from './key-record.js';
import type { KeyListFilter, StoredKey } from './key-repository.js';
import { insertKey, selectKey, selectKeys, selectSuccessorId, updateKeyRow } from './key-repository.js';
import { LastUsedTracker } from './last-used-tracker.js';
import { VerifiedSecrets } from './verified-secrets.js';
import { authorizeModel } from './model-access.js';

export interface KeyServiceOptions {
  db: SqlDatabase;
  /** HMAC key for secret hashes, at least 16 bytes; usually `derivePepper(CONDUIT_MASTER_KEY)`. Must never change. */
  pepper: string | Uint8Array;
  /** How long a verified (or unknown) key lookup is reused; bounds revocation delay on other replicas. Default 5,000; 0 disables. */
  cacheTtlMs?: number;
  /** Most verified keys cached (default 100,000). */
  maxCachedKeys?: number;
  /** Most unknown key ids remembered (default 10,000): bounds memory under a flood of made-up keys. */
  maxNegativeCacheEntries?: number;
  /** How often lastUsedAt marks are written, in one batch (default 30,000 ms; 0 = only on flushLastUsed/close). */
  lastUsedFlushMs?: number;
  /** Run the key table migrations first (default true). */
  migrate?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /**
   * Where failures of background work go: lastUsedAt writes (retried next flush) and refresh-ahead
   * key reads (the cached entry keeps serving until it expires). Default: ignored.
   */
  onBackgroundError?: (err: unknown) => void;
}

export interface CreatedKey {
  /** The full key `ck-<id>-<secret>`. Shown this once; it cannot be recovered later. */
  key: string;
  record: KeyRecord;
}

export interface RotatedKey extends CreatedKey {
  /** The old key, now expiring at the end of the grace period (or revoked). */
  previous: KeyRecord;
}

export interface RotateOptions {
  /** How long the old key keeps working, in ms (default 0: revoked at once; at most 30 days). */
  graceMs?: number;
}

export type ListKeysFilter = KeyListFilter;

export interface KeyService {
  create(input: CreateKeyInput): Promise<CreatedKey>;
  /** Keys in creation order; revoked ones only with includeRevoked. Expired keys are listed (check expiresAt). */
  list(filter?: ListKeysFilter): Promise<KeyRecord[]>;
  /** Throws ConduitError('not_found') for an unknown id. */
  get(id: string): Promise<KeyRecord>;
  update(id: string, patch: UpdateKeyInput): Promise<KeyRecord>;
  /** Idempotent: revoking a revoked key returns it unchanged. */
  revoke(id: string): Promise<KeyRecord>;
  rotate(id: string, options?: RotateOptions): Promise<RotatedKey>;
  /**
   * The record of a valid key. Throws ConduitError('authentication', 401) for a malformed, unknown,
   * wrong-secret, revoked or expired key; the message never contains the presented value.
   */
  authenticate(presentedKey: string): Promise<KeyRecord>;
  /** Throws ConduitError('permission', 403) unless the key may use the model (any of the names given). */
  authorizeModel(record: KeyRecord, model: string | readonly string[]): void;
  /** Drops cached lookups (one id, or all): for a cross-replica invalidation signal. */
  invalidate(id?: string): void;
  /** Writes pending lastUsedAt marks now. */
  flushLastUsed(): Promise<void>;
  /** Stops the background timer and flushes lastUsedAt. Does not close the database. */
  close(): Promise<void>;
}

const MAX_GRACE_MS = 30 * 24 * 3_600_000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function unauthenticated(message: string, code: string): ConduitError {
  return new ConduitError('authentication', message, { code });
}

function notFound(id: string): ConduitError {
  // The id is public (never the secret); a malformed one is not echoed.
  return new ConduitError('not_found', isKeyId(id) ? `No API key with id '${id}'` : 'No such API key', { code: 'key_not_found' });
}

export async function createKeyService(options: KeyServiceOptions): Promise<KeyService> {
  const { db } = options;
  const pepper = normalisePepper(options.pepper);
  const now = options.now ?? Date.now;
  const ttlMs = options.cacheTtlMs ?? 5_000;
  if (options.migrate !== false) await runMigrations(db, KEY_MIGRATIONS);

  const cache = new KeyCache({
    ttlMs,
    maxEntries: options.maxCachedKeys ?? 100_000,
    maxNegativeEntries: options.maxNegativeCacheEntries ?? 10_000,
  });
  const inflight = new Map<string, Promise<CachedLookup>>();
  // Skips the HMAC for a secret already verified against the same cached lookup (see verified-secrets.ts).
  const verified = new VerifiedSecrets();
  // Bumped by every local change: a lookup that started before a change must not cache its stale result.
  let generation = 0;
  const backgroundError = options.onBackgroundError ?? (() => {});
  const tracker = new LastUsedTracker(db, options.lastUsedFlushMs ?? 30_000, backgroundError);

  function forget(id: string): void {
    generation++;
    cache.delete(id);
    inflight.delete(id);
  }

  /** One query per id however many requests arrive together with the same key. */
  function fetchKey(id: string): Promise<CachedLookup> {
    let pending = inflight.get(id);
    if (pending === undefined) {
      const startedAt = generation;
      pending = (async (): Promise<CachedLookup> => {
        try {
          const stored = await selectKey(db, id);
          // Frozen: the same object is handed to every request until the entry expires.
          const result: CachedLookup = stored === undefined ? { found: false } : { found: true, stored: deepFreeze(stored) };
          if (startedAt === generation) cache.set(id, result, now());
          return result;
        } finally {
          inflight.delete(id);
        }
      })();
      inflight.set(id, pending);
    }
    return pending;
  }

  async function lookup(id: string): Promise<CachedLookup> {
    const at = now();
    const cached = cache.get(id, at);
    if (cached !== undefined) {
      // Refresh ahead: a key in use is re-read in the background once its entry is half way to
      // expiry, so requests never queue behind the database when it expires. The entry served
      // meanwhile is still younger than the TTL: the revocation bound does not change.
      if (cached.found && cache.refreshDue(id, at) && !inflight.has(id)) {
        fetchKey(id).catch((err: unknown) => backgroundError(err));
      }
      return cached;
    }
    const pending = fetchKey(id);
    try {
      return await pending;
    } catch (err) {
      throw new ConduitError('internal', 'The API key store is unavailable', {
        cause: err,
        status: 503,
        retryable: true,
        code: 'key_store_unavailable',
      });
    }
  }

  async function mustGet(id: string): Promise<StoredKey> {
    const stored = isKeyId(id) ? await selectKey(db, id) : undefined;
    if (stored === undefined) throw notFound(id);
    return stored;
  }

  function expiryFromInput(value: string | Date | number, field: string): string {
    const ms = toEpochMs(value);
    if (!Number.isFinite(ms)) throw new ConduitError('invalid_request', `${field} is not a valid time`, { param: field });
    return new Date(ms).toISOString();
  }

  const service: KeyService = {
    async create(input) {
      const parsed = parseInput(createKeyInputSchema, input, 'API key');
      const createdAt = now();
      let expiresAt: string | null = null;
      if (parsed.expiresAt !== undefined) {
        expiresAt = expiryFromInput(parsed.expiresAt, 'expiresAt');
        if (Date.parse(expiresAt) <= createdAt) {
          throw new ConduitError('invalid_request', 'Invalid API key: expiresAt must lie in the future', { param: 'expiresAt', code: 'invalid_key_input' });
        }
      }
      const id = generateKeyId();
      const secret = generateSecret();
      const record: KeyRecord = {
        id,
        name: parsed.name,
        ownerUserId: parsed.ownerUserId ?? null,
        team: parsed.team ?? null,
        allowedModels: parsed.allowedModels ?? [],
        limits: parsed.limits ?? {},
        budgets: parsed.budgets ?? [],
        guardrails: parsed.guardrails ?? null,
        metadata: parsed.metadata ?? {},
        createdAt: new Date(createdAt).toISOString(),
        expiresAt,
        revokedAt: null,
        rotatedFrom: null,
        lastUsedAt: null,
      };
      await insertKey(db, { record, secretHash: hashSecret(pepper, id, secret) });
      forget(id); // a negative entry for this id (astronomically unlikely) must not hide the new key
      return { key: formatKey(id, secret), record };
    },

    async list(filter = {}) {
      const limit = filter.limit ?? 1000;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        throw new ConduitError('invalid_request', 'limit must be an integer from 1 to 10000', { param: 'limit' });
      }
      return selectKeys(db, { ...filter, limit });
    },

    async get(id) {
      return (await mustGet(id)).record;
    },

    async update(id, patch) {
      const parsed = parseInput(updateKeyInputSchema, patch, 'API key update');
      const record = await db.transaction(async (tx) => {
        const stored = isKeyId(id) ? await selectKey(tx, id, true) : undefined;
        if (stored === undefined) throw notFound(id);
        const r: KeyRecord = { ...stored.record };
        if (parsed.name !== undefined) r.name = parsed.name;
        if (parsed.ownerUserId !== undefined) r.ownerUserId = parsed.ownerUserId;
        if (parsed.team !== undefined) r.team = parsed.team;
        if (parsed.allowedModels !== undefined) r.allowedModels = parsed.allowedModels;
        if (parsed.limits !== undefined) r.limits = parsed.limits;
        if (parsed.budgets !== undefined) r.budgets = parsed.budgets;
        if (parsed.guardrails !== undefined) r.guardrails = parsed.guardrails;
        if (parsed.metadata !== undefined) r.metadata = parsed.metadata;
        if (parsed.expiresAt !== undefined) r.expiresAt = parsed.expiresAt === null ? null : expiryFromInput(parsed.expiresAt, 'expiresAt');
        await updateKeyRow(tx, r);
        return r;
      });
      forget(id);
      return record;
    },

    async revoke(id) {
      const record = await db.transaction(async (tx) => {
        const stored = isKeyId(id) ? await selectKey(tx, id, true) : undefined;
        if (stored === undefined) throw notFound(id);
        if (stored.record.revokedAt !== null) return stored.record;
        const r: KeyRecord = { ...stored.record, revokedAt: new Date(now()).toISOString() };
        await updateKeyRow(tx, r);
        return r;
      });
      forget(id);
      return record;
    },

    async rotate(id, rotateOptions = {}) {
      const graceMs = rotateOptions.graceMs ?? 0;
      if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
        throw new ConduitError('invalid_request', `graceMs must be an integer from 0 to ${MAX_GRACE_MS}`, { param: 'graceMs' });
      }
      const newId = generateKeyId();
      const secret = generateSecret();
      const result = await db.transaction(async (tx) => {
        const stored = isKeyId(id) ? await selectKey(tx, id, true) : undefined;
        if (stored === undefined) throw notFound(id);
        const old = stored.record;
        const at = now();
        if (old.revokedAt !== null) {
          throw new ConduitError('invalid_request', `API key '${id}' is revoked and cannot be rotated`, { code: 'key_revoked' });
        }
        if (old.expiresAt !== null && Date.parse(old.expiresAt) <= at) {
          throw new ConduitError('invalid_request', `API key '${id}' has expired and cannot be rotated`, { code: 'key_expired' });
        }
        const successor = await selectSuccessorId(tx, id);
        if (successor !== undefined) {
          throw new ConduitError('invalid_request', `API key '${id}' was already rotated; rotate '${successor}' instead`, {
            code: 'key_already_rotated',
          });
        }
        const record: KeyRecord = {
          ...old,
          id: newId,
          createdAt: new Date(at).toISOString(),
          revokedAt: null,
          rotatedFrom: id,
          lastUsedAt: null,
        };
        await insertKey(tx, { record, secretHash: hashSecret(pepper, newId, secret) });
        const graceEnd = at + graceMs;
        const previous: KeyRecord =
          graceMs === 0
            ? { ...old, revokedAt: new Date(at).toISOString() }
            : {
                ...old,
                expiresAt: new Date(old.expiresAt === null ? graceEnd : Math.min(Date.parse(old.expiresAt), graceEnd)).toISOString(),
              };
        await updateKeyRow(tx, previous);
        return { key: formatKey(newId, secret), record, previous };
      });
      forget(id);
      forget(newId);
      return result;
    },

    async authenticate(presentedKey) {
      const parsed = typeof presentedKey === 'string' ? parseKey(presentedKey) : undefined;
      if (parsed === undefined) throw unauthenticated('Invalid API key: malformed', 'invalid_api_key');
      const found = await lookup(parsed.keyId);
      if (!found.found) {
        burnVerification(pepper, parsed.secret);
        throw unauthenticated('Invalid API key', 'invalid_api_key');
      }
      const { record, secretHash } = found.stored;
      // The secret is checked before anything else is revealed: only its holder learns that a key
      // is revoked or expired.
      if (!verified.matches(found.stored, parsed.secret)) {
        if (!verifySecret(pepper, parsed.keyId, parsed.secret, secretHash)) {
          throw unauthenticated('Invalid API key', 'invalid_api_key');
        }
        verified.remember(found.stored, parsed.secret);
      }
      const at = now();
      if (record.revokedAt !== null) throw unauthenticated(`API key '${record.id}' has been revoked`, 'api_key_revoked');
      if (record.expiresAt !== null && Date.parse(record.expiresAt) <= at) {
        throw unauthenticated(`API key '${record.id}' has expired`, 'api_key_expired');
      }
      tracker.mark(record.id, at);
      return record;
    },

    authorizeModel(record, model) {
      authorizeModel(record, model);
    },

    invalidate(id) {
      if (id === undefined) {
        generation++;
        cache.clear();
        inflight.clear();
      } else forget(id);
    },

    flushLastUsed() {
      return tracker.flush();
    },

    close() {
      return tracker.close();
    },
  };
  return service;
}
