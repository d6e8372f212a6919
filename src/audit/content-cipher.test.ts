import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decryptContent, encryptContent, resolveAuditKey } from './content-cipher.js';
import { ConduitError } from '../core/errors.js';

test('AES-256-GCM round trip; the blob hides the plaintext; wrong key, altered blob and moved blob fail', () => {
  const key = randomBytes(32);
  const blob = encryptContent(key, 'the secret prompt', 'entry-1');
  assert.equal(blob.includes(Buffer.from('secret prompt')), false);
  assert.equal(decryptContent(key, blob, 'entry-1'), 'the secret prompt');
  assert.throws(() => decryptContent(randomBytes(32), blob, 'entry-1'), (e: unknown) => e instanceof ConduitError && e.kind === 'permission');
  const altered = Buffer.from(blob);
  altered[altered.length - 1]! ^= 1;
  assert.throws(() => decryptContent(key, altered, 'entry-1'), /cannot be decrypted/);
  assert.throws(() => decryptContent(key, blob, 'entry-2'), /cannot be decrypted/);
});

test('resolveAuditKey prefers config over CONDUIT_AUDIT_KEY and checks the length', () => {
  const a = randomBytes(32);
  const b = randomBytes(32);
  assert.deepEqual(resolveAuditKey({ configKey: a.toString('base64'), env: { CONDUIT_AUDIT_KEY: b.toString('base64') } }), a);
  assert.deepEqual(resolveAuditKey({ env: { CONDUIT_AUDIT_KEY: b.toString('base64') } }), b);
  assert.equal(resolveAuditKey({ env: {} }), undefined);
  assert.throws(() => resolveAuditKey({ configKey: randomBytes(16).toString('base64') }), /32 bytes/);
  assert.throws(() => resolveAuditKey({ configKey: 'not base64!' }), /base64/);
});
