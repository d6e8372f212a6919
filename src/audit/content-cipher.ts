/**
 * AES-256-GCM for audit content. Blob layout: version (1 byte) ‖ IV (12) ‖ tag (16) ‖ ciphertext.
 * The entry id is the additional authenticated data, so a blob copied onto another entry fails to
 * decrypt instead of passing as that entry's content.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConduitError } from '../core/errors.js';

const BLOB_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const AUDIT_KEY_BYTES = 32;

export function encryptContent(key: Buffer, plaintext: string, entryId: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(entryId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([BLOB_VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

export function decryptContent(key: Buffer, blob: Buffer, entryId: string): string {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== BLOB_VERSION) {
    throw new ConduitError('internal', 'audit content blob is malformed');
  }
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(entryId, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (err) {
    // GCM authentication failure: a wrong key, or a blob that was altered or moved.
    throw new ConduitError('permission', 'audit content cannot be decrypted: wrong key or altered ciphertext', { cause: err });
  }
}

export function assertAuditKey(key: Buffer): Buffer {
  if (key.length !== AUDIT_KEY_BYTES) {
    throw new ConduitError('invalid_request', `audit encryption key must be ${AUDIT_KEY_BYTES} bytes (got ${key.length})`, {
      param: 'audit.encryption_key',
    });
  }
  return key;
}

/**
 * The audit key from config (`audit.encryption_key`, base64) or else `CONDUIT_AUDIT_KEY` (base64).
 * Returns undefined when neither is set.
 */
export function resolveAuditKey(source: { configKey?: string; env?: NodeJS.ProcessEnv } = {}): Buffer | undefined {
  const raw = source.configKey ?? (source.env ?? process.env).CONDUIT_AUDIT_KEY;
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new ConduitError('invalid_request', 'audit encryption key must be base64', { param: 'audit.encryption_key' });
  }
  return assertAuditKey(Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64'));
}
