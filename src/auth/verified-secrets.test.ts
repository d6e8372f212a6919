/**
 * The verified-secret memo of the authenticate hot path: it may only ever skip the HMAC for the
 * exact secret that already passed it against the same cached lookup, and it must never outlive
 * that lookup (revocation and updates keep taking effect as documented).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import { openPGliteDatabase } from '../store/embedded/pglite-database.js';
import { createKeyService } from './key-service.js';
import { derivePepper } from './key-hash.js';
import { parseKey } from './key-format.js';
import type { StoredKey } from './key-repository.js';
import { VerifiedSecrets } from './verified-secrets.js';

function stored(): StoredKey {
  return { record: {} as StoredKey['record'], secretHash: 'hmac-sha256:00' };
}

test('VerifiedSecrets matches only the remembered secret, only for the same lookup object', () => {
  const memo = new VerifiedSecrets();
  const a = stored();
  const secret = 'A'.repeat(43);
  assert.equal(memo.matches(a, secret), false, 'nothing is remembered before a verification');
  memo.remember(a, secret);
  assert.equal(memo.matches(a, secret), true);
  assert.equal(memo.matches(a, `${'A'.repeat(42)}B`), false, 'a secret one character off');
  assert.equal(memo.matches(a, 'A'.repeat(42)), false, 'a shorter secret');
  assert.equal(memo.matches(stored(), secret), false, 'a fresh lookup of the same key starts unverified');
});

function isAuthError(code: string) {
  return (err: unknown) => err instanceof ConduitError && err.kind === 'authentication' && err.code === code;
}

test('authenticate: after a valid key was accepted, a wrong secret is still refused and a revoke still applies at once', async () => {
  const db = await openPGliteDatabase();
  let t = Date.UTC(2026, 0, 1);
  const service = await createKeyService({ db, pepper: derivePepper('verified-secrets-test-master'), now: () => t, lastUsedFlushMs: 0 });
  try {
    const { key, record } = await service.create({ name: 'memo', expiresAt: new Date(t + 60_000) });
    const { keyId, secret } = parseKey(key)!;
    assert.equal((await service.authenticate(key)).id, record.id);
    assert.equal((await service.authenticate(key)).id, record.id, 'the second call takes the memo path');
    const wrong = `ck-${keyId}-${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    await assert.rejects(service.authenticate(wrong), isAuthError('invalid_api_key'));
    assert.equal((await service.authenticate(key)).id, record.id, 'a refused wrong secret does not evict the valid one');
    // Expiry is still checked on every request, memo or not.
    t += 60_000;
    await assert.rejects(service.authenticate(key), isAuthError('api_key_expired'));
    const other = await service.create({ name: 'memo-2' });
    await service.authenticate(other.key);
    await service.authenticate(other.key);
    await service.revoke(other.record.id);
    await assert.rejects(service.authenticate(other.key), isAuthError('api_key_revoked'));
  } finally {
    await service.close();
    await db.close();
  }
});
