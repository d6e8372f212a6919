/**
 * Tells "Redis is unavailable" (connection refused or lost, timed out, loading, read-only replica…),
 * which a policy may fail open on, from a real bug such as a Lua error, which it must not hide.
 */

/** Reply errors that mean the server cannot serve us right now, not that we asked wrongly. */
const UNAVAILABLE_REPLY_PREFIXES = ['LOADING', 'BUSY', 'READONLY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'NOREPLICAS'];

export function isRedisUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // Errors the server sent back are ReplyErrors; everything else (socket errors, "Stream isn't
  // writeable", "Connection is closed", "Command timed out", MaxRetriesPerRequestError) is transport.
  if (err.name !== 'ReplyError') return true;
  return UNAVAILABLE_REPLY_PREFIXES.some((p) => err.message.startsWith(p));
}
