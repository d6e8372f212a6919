/**
 * Remembers, per cached key lookup, which secret was already verified against it, so the hot path
 * pays one SHA-256 and a constant-time compare instead of an HMAC per request.
 *
 * Why this is safe:
 * - Only a secret that passed the full HMAC check (`verifySecret`) is remembered, and only its
 *   SHA-256 digest is kept (not the secret). A presented secret is accepted on this path only if its
 *   digest equals the remembered one, compared with `timingSafeEqual` over fixed 32-byte digests,
 *   so the compare leaks nothing about how close a wrong secret came. Anything else falls through
 *   to the full HMAC check, exactly as before.
 * - The memo is keyed by the cached `StoredKey` object itself (a WeakMap), so it lives exactly as
 *   long as that cache entry: a revoke, update or rotate on this instance drops the entry and with
 *   it the memo at once; on another replica the entry, and the memo, expire after the key cache's
 *   `cacheTtlMs` (default 5 s), the same bound that already applies to revocation. With
 *   `cacheTtlMs: 0` every lookup is a fresh object and the memo never hits. Revocation and expiry
 *   are still checked on every request, after this.
 * - Timing: a valid key is now faster to accept than a wrong secret is to refuse; that tells a
 *   caller only what the response itself says (accepted or not).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { StoredKey } from './key-repository.js';

export class VerifiedSecrets {
  private readonly digests = new WeakMap<StoredKey, Buffer>();

  /** True when `secret` is the one already verified against this very lookup result. */
  matches(stored: StoredKey, secret: string): boolean {
    const known = this.digests.get(stored);
    if (known === undefined) return false;
    return timingSafeEqual(known, digest(secret));
  }

  /** Call only after `secret` passed the full check against `stored`. */
  remember(stored: StoredKey, secret: string): void {
    this.digests.set(stored, digest(secret));
  }
}

function digest(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}
