/**
 * The two request headers the gateway interprets itself: `x-request-id` (echoed when it is a
 * sane token, generated otherwise) and `x-conduit-deadline-ms` (relative deadline in ms).
 */
import { randomUUID } from 'node:crypto';
import { ConduitError } from '../core/errors.js';

const MAX_REQUEST_ID_LENGTH = 128;

/** 1–128 chars of `[A-Za-z0-9._:/+=@-]`: safe to echo in a header and to write in logs. */
export function isValidRequestId(id: string): boolean {
  const n = id.length;
  if (n === 0 || n > MAX_REQUEST_ID_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) || // 0-9 and ':'
      (c >= 65 && c <= 90) || // A-Z
      (c >= 97 && c <= 122) || // a-z
      c === 45 || c === 46 || c === 95 || c === 47 || c === 43 || c === 61 || c === 64; // - . _ / + = @
    if (!ok) return false;
  }
  return true;
}

export function newRequestId(): string {
  return randomUUID();
}

/** Deadlines longer than a day are certainly a unit mistake. */
const MAX_DEADLINE_MS = 86_400_000;

/** Parses `x-conduit-deadline-ms`; undefined when absent, 400 when not a positive number of ms. */
export function parseDeadlineMs(raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  const ms = value === undefined || value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_DEADLINE_MS) {
    throw new ConduitError('invalid_request', `Header x-conduit-deadline-ms must be a positive number of milliseconds (at most ${MAX_DEADLINE_MS}), got '${String(value).slice(0, 40)}'`, {
      param: 'x-conduit-deadline-ms',
      code: 'invalid_deadline',
    });
  }
  return ms;
}
