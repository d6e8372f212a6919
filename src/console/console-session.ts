/**
 * Console login: the master key is presented once (POST /console/api/login) and exchanged for a
 * random session id in an HttpOnly, SameSite=Strict cookie scoped to /console (Secure when the
 * request came over HTTPS). The key itself never sits in the browser's storage or in script reach.
 *
 * Sessions live in this process's memory: a restart logs operators out, and behind several
 * replicas the load balancer needs sticky sessions for the console (the gateway itself does not).
 * Failed logins are throttled per client address so the console is no faster a way to guess the
 * master key than `/admin/*`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConduitError } from '../core/errors.js';
import { verifyMasterKey } from '../auth/index.js';

export const SESSION_COOKIE = 'conduit_console';
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;
const FAILURES_PER_WINDOW = 10;
const FAILURE_WINDOW_MS = 60_000;

export interface ConsoleSession {
  id: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionStoreOptions {
  masterKey: string | undefined;
  /** How long a session lasts from login; default 8 hours. */
  ttlMs?: number;
  now?: () => number;
}

export interface SessionStore {
  /** Checks the master key (throttled per client) and opens a session. */
  login(presentedKey: unknown, client: string): ConsoleSession;
  /** The live session named by the request's cookie, if any. */
  fromRequest(req: IncomingMessage): ConsoleSession | undefined;
  logout(req: IncomingMessage): void;
  /** `Set-Cookie` value for a new session. */
  cookieFor(session: ConsoleSession, secure: boolean): string;
  /** `Set-Cookie` value that removes the cookie. */
  clearCookie(secure: boolean): string;
}

/** Cookie header → name/value pairs (the first occurrence of a name wins, as browsers send the most specific path first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** Whether the browser reached us over HTTPS (directly, or through a proxy that says so). */
export function isSecureRequest(req: IncomingMessage): boolean {
  const socket = req.socket as { encrypted?: boolean };
  if (socket.encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim() === 'https';
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, ConsoleSession>();
  const failures = new Map<string, { count: number; windowStart: number }>();

  function prune(t: number): void {
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
    for (const [client, f] of failures) if (t - f.windowStart > FAILURE_WINDOW_MS) failures.delete(client);
  }

  function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
    return `${SESSION_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  }

  return {
    login(presentedKey, client) {
      const t = now();
      prune(t);
      if (options.masterKey === undefined || options.masterKey === '') {
        throw new ConduitError('permission', 'The console is disabled: set CONDUIT_MASTER_KEY to enable it', { code: 'admin_disabled' });
      }
      const f = failures.get(client);
      if (f !== undefined && f.count >= FAILURES_PER_WINDOW) {
        throw new ConduitError('rate_limited', 'Too many failed logins from this address; wait a minute', { code: 'login_throttled', retryAfterMs: FAILURE_WINDOW_MS - (t - f.windowStart) });
      }
      if (typeof presentedKey !== 'string' || !verifyMasterKey(presentedKey, options.masterKey)) {
        if (f === undefined) failures.set(client, { count: 1, windowStart: t });
        else f.count++;
        throw new ConduitError('authentication', 'Wrong master key', { code: 'invalid_master_key' });
      }
      if (sessions.size >= MAX_SESSIONS) {
        // Oldest first: Map iteration follows insertion order.
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
      const session: ConsoleSession = { id: randomBytes(32).toString('base64url'), createdAt: t, expiresAt: t + ttlMs };
      sessions.set(session.id, session);
      return session;
    },
    fromRequest(req) {
      const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (id === undefined) return undefined;
      const s = sessions.get(id);
      if (s === undefined) return undefined;
      if (s.expiresAt <= now()) {
        sessions.delete(id);
        return undefined;
      }
      return s;
    },
    logout(req) {
      const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (id !== undefined) sessions.delete(id);
    },
    cookieFor(session, secure) {
      return cookie(session.id, Math.max(1, Math.floor((session.expiresAt - now()) / 1000)), secure);
    },
    clearCookie(secure) {
      return cookie('', 0, secure);
    },
  };
}
