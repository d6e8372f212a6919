/**
 * How a key's secret is stored: `hmac-sha256:<hex>` of `<keyId>.<secret>` under a server pepper.
 *
 * Why a fast keyed hash and not bcrypt/scrypt/argon2: those are slow on purpose to protect
 * low-entropy passwords from offline guessing. Our secrets are 256 random bits; no amount of
 * guessing finds one from its SHA-256, so a slow hash would only add milliseconds (and CPU a
 * flood can exhaust) to every request while protecting nothing. The HMAC pepper is defence in
 * depth: a leaked table alone cannot even be used to confirm a candidate key. Binding the key id
 * into the MAC means a row's hash cannot be copied onto another row to clone its access.
 *
 * The pepper must stay the same for the life of the keys: changing it invalidates every key.
 * `derivePepper(CONDUIT_MASTER_KEY)` is the default; deployments that rotate the master key should
 * configure a separate, stable pepper.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const SCHEME = 'hmac-sha256';

/** A 32-byte pepper derived from the master key (HKDF-SHA256, so the master key itself is never the MAC key). */
export function derivePepper(masterKey: string): Buffer {
  if (masterKey === '') throw new Error('derivePepper: the master key is empty');
  return Buffer.from(hkdfSync('sha256', masterKey, 'conduit', 'conduit/api-key-pepper/v1', 32));
}

export function normalisePepper(pepper: string | Uint8Array): Buffer {
  const buf = typeof pepper === 'string' ? Buffer.from(pepper, 'utf8') : Buffer.from(pepper);
  if (buf.length < 16) throw new Error('the API key pepper must be at least 16 bytes');
  return buf;
}

export function hashSecret(pepper: Buffer, keyId: string, secret: string): string {
  return `${SCHEME}:${createHmac('sha256', pepper).update(`${keyId}.${secret}`).digest('hex')}`;
}

/** Constant-time comparison of the presented secret's hash with the stored one. */
export function verifySecret(pepper: Buffer, keyId: string, secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'utf8');
  const actual = Buffer.from(hashSecret(pepper, keyId, secret), 'utf8');
  // Lengths differ only for a corrupt or foreign-scheme row, never as a function of the secret.
  if (expected.length !== actual.length) return false;
  return timingSafeEqual(expected, actual);
}

/** Burns the same HMAC work as a real check, so an unknown key id is not faster to reject. */
export function burnVerification(pepper: Buffer, secret: string): void {
  createHmac('sha256', pepper).update(`0000000000000000.${secret}`).digest();
}

/** SHA-256 digest, used to compare secrets of different lengths in constant time. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
