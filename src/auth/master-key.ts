/**
 * The admin API's master key (CONDUIT_MASTER_KEY). Never open by default: with no master key
 * configured, every admin request is refused.
 */
import { timingSafeEqual } from 'node:crypto';
import { ConduitError } from '../core/errors.js';
import { sha256 } from './key-hash.js';
import { MASTER_PRINCIPAL } from './principal.js';
import type { MasterPrincipal } from './principal.js';

/**
 * Constant-time comparison. Both sides are hashed first so the comparison takes the same time
 * whatever the presented length (timingSafeEqual alone needs equal lengths and would leak the
 * configured key's length). Always false when no master key is configured.
 */
export function verifyMasterKey(presented: string | undefined | null, configured: string | undefined | null): boolean {
  if (configured === undefined || configured === null || configured === '') return false;
  if (presented === undefined || presented === null) return false;
  return timingSafeEqual(sha256(presented), sha256(configured));
}

/**
 * The check an admin route runs first. Throws ConduitError('permission', 403) when the admin API
 * is disabled (no master key configured) and ConduitError('authentication', 401) when the
 * presented key is missing or wrong.
 */
export function requireMasterKey(presented: string | undefined | null, configured: string | undefined | null): MasterPrincipal {
  if (configured === undefined || configured === null || configured === '') {
    throw new ConduitError('permission', 'The admin API is disabled: set CONDUIT_MASTER_KEY to enable it', {
      code: 'admin_disabled',
    });
  }
  if (presented === undefined || presented === null || presented === '') {
    throw new ConduitError('authentication', 'The admin API requires the master key', { code: 'missing_master_key' });
  }
  if (!verifyMasterKey(presented, configured)) {
    throw new ConduitError('authentication', 'Invalid master key', { code: 'invalid_master_key' });
  }
  return MASTER_PRINCIPAL;
}
