/**
 * The virtual API key's wire format:
 *
 *     ck-<keyId>-<secret>
 *
 * - `ck-` says "Conduit key" (secret scanners and humans can recognise a leaked one).
 * - `keyId`: 16 base62 characters (~95 bits). Public: it is the primary key of the record, appears
 *   in lists, logs, spend reports and audit entries, and lets `authenticate` find the one row to
 *   check with a single indexed lookup instead of hashing against every key.
 * - `secret`: 32 random bytes (256 bits) as 43 base62 characters. Shown once; only its hash is stored.
 *
 * Base62 on both parts keeps the key free of `-`, `_`, `.` and `=`, so it survives double-click
 * selection, URLs and shell quoting, and can never be mistaken for a JWT (which has two dots).
 */
import { randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'ck';
export const KEY_ID_LENGTH = 16;
export const SECRET_BYTES = 32;
/** ceil(256 / log2(62)): every 32-byte value fits in 43 base62 digits. */
export const SECRET_LENGTH = 43;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}-([0-9A-Za-z]{${KEY_ID_LENGTH}})-([0-9A-Za-z]{${SECRET_LENGTH}})$`);
const KEY_ID_PATTERN = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);

export interface ParsedKey {
  keyId: string;
  secret: string;
}

/** Encodes bytes as a fixed-width base62 number (left-padded with '0'). */
function toBase62(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out.padStart(width, '0');
}

/** A fresh, uniformly random key id: rejection sampling keeps every character equally likely. */
export function generateKeyId(): string {
  let out = '';
  while (out.length < KEY_ID_LENGTH) {
    for (const b of randomBytes(KEY_ID_LENGTH * 2)) {
      // 248 = 62 × 4: bytes at or above it would bias the first characters of the alphabet.
      if (b < 248 && out.length < KEY_ID_LENGTH) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/** 32 fresh random bytes, base62. */
export function generateSecret(): string {
  return toBase62(randomBytes(SECRET_BYTES), SECRET_LENGTH);
}

export function formatKey(keyId: string, secret: string): string {
  return `${KEY_PREFIX}-${keyId}-${secret}`;
}

/** The key id and secret of a well-formed key, or undefined. Never throws, never logs. */
export function parseKey(presented: string): ParsedKey | undefined {
  const m = KEY_PATTERN.exec(presented);
  if (m === null) return undefined;
  return { keyId: m[1]!, secret: m[2]! };
}

export function isKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}
