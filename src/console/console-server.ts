/**
 * The operator's console at `/console`: a static app and its JSON API (`/console/api/*`), behind a
 * master-key login exchanged for a session cookie (console-session.ts).
 *
 * Why it is not an AppRoutes group: app routes pass the gateway's admission first (emergency stop,
 * bearer credential), and the console must stay reachable while the stop is on — that is when an
 * operator needs the resume button — and it authenticates with a cookie, not a bearer key. So the
 * console sits in front of the gateway's request handler (mount-console.ts) and its own polling
 * never counts as model traffic in the numbers it shows.
 *
 * CSRF: the cookie is SameSite=Strict, and every non-GET API call must carry
 * `x-conduit-console: 1` (a header a cross-site form cannot send, and that a cross-site script can
 * only send after a CORS preflight nobody answers) and, when the browser sends one, an Origin equal
 * to this host.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConduitError, isConduitError, toConduitError } from '../core/errors.js';
import { httpStatusOf, openAIErrorBody, retryAfterSeconds } from '../gateway/errors.js';
import type { ConsoleServices } from './console-api.js';
import { createConsoleApi } from './console-api.js';
import type { SessionStore } from './console-session.js';
import { createSessionStore, isSecureRequest } from './console-session.js';
import type { LiveStats } from './live-stats.js';
import type { StaticFiles } from './static-files.js';
import { createStaticFiles } from './static-files.js';

export const CONSOLE_PATH = '/console';
export const CSRF_HEADER = 'x-conduit-console';
const API_BODY_LIMIT = 256 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export interface ConsoleOptions extends Omit<ConsoleServices, 'live'> {
  masterKey: string | undefined;
  live: LiveStats;
  /** Default: the package's `console/` folder. */
  staticDir?: string;
  sessionTtlMs?: number;
  /** For errors the console did not expect. */
  onError?: (err: unknown) => void;
}

export interface ConduitConsole {
  /** Whether `url` (path and query) is the console's. */
  matches(url: string | undefined): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  readonly sessions: SessionStore;
  /** The sampler behind the live numbers (tests take a sample instead of waiting for the timer). */
  readonly live: LiveStats;
  close(): void;
}

function pathOnly(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > API_BODY_LIMIT) {
        reject(new ConduitError('payload_too_large', `Console request bodies are limited to ${API_BODY_LIMIT} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function jsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ConduitError('invalid_request', 'The request body is not valid JSON', { code: 'invalid_json' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConduitError('invalid_request', 'The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, contentType: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), 'application/json', { 'cache-control': 'no-store', ...extra });
}

function sendError(res: ServerResponse, err: ConduitError): void {
  const retry = retryAfterSeconds(err);
  sendJson(res, httpStatusOf(err), JSON.parse(openAIErrorBody(err)) as unknown, retry === undefined ? {} : { 'retry-after': String(retry) });
}

/** Same-origin check for state-changing calls: our custom header, and a matching Origin when sent. */
function checkCsrf(req: IncomingMessage): void {
  if (req.headers[CSRF_HEADER] !== '1') {
    throw new ConduitError('permission', `Console API calls that change state must send ${CSRF_HEADER}: 1`, { code: 'csrf_check_failed' });
  }
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') {
    if (origin === 'null') throw new ConduitError('permission', 'Cross-origin console request refused', { code: 'csrf_check_failed' });
    return;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ConduitError('permission', 'Cross-origin console request refused', { code: 'csrf_check_failed' });
  }
  if (host !== req.headers.host) throw new ConduitError('permission', 'Cross-origin console request refused', { code: 'csrf_check_failed' });
}

export function createConsole(options: ConsoleOptions): ConduitConsole {
  const sessions = createSessionStore({ masterKey: options.masterKey, ...(options.sessionTtlMs === undefined ? {} : { ttlMs: options.sessionTtlMs }) });
  const files: StaticFiles = createStaticFiles(options.staticDir);
  const api = createConsoleApi(options);

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') checkCsrf(req);
    const rest = path.slice(`${CONSOLE_PATH}/api/`.length);
    const parts: string[] = [];
    for (const seg of rest.split('/')) {
      if (seg === '') continue;
      try {
        parts.push(decodeURIComponent(seg));
      } catch {
        throw new ConduitError('invalid_request', `Malformed percent-encoding in path segment '${seg}'`, { code: 'invalid_path' });
      }
    }
    const secure = isSecureRequest(req);
    if (parts[0] === 'login' && parts.length === 1) {
      if (method !== 'POST') throw new ConduitError('invalid_request', 'Log in with POST', { status: 405, code: 'method_not_allowed' });
      const body = await jsonObject(req);
      const session = sessions.login(body.master_key, req.socket.remoteAddress ?? 'unknown');
      sendJson(res, 200, { authenticated: true, expiresAt: new Date(session.expiresAt).toISOString() }, { 'set-cookie': sessions.cookieFor(session, secure) });
      return;
    }
    if (parts[0] === 'logout' && parts.length === 1) {
      if (method !== 'POST') throw new ConduitError('invalid_request', 'Log out with POST', { status: 405, code: 'method_not_allowed' });
      sessions.logout(req);
      sendJson(res, 200, { authenticated: false }, { 'set-cookie': sessions.clearCookie(secure) });
      return;
    }
    const session = sessions.fromRequest(req);
    if (parts[0] === 'session' && parts.length === 1) {
      sendJson(res, 200, session === undefined ? { authenticated: false, enabled: options.masterKey !== undefined && options.masterKey !== '' } : { authenticated: true, expiresAt: new Date(session.expiresAt).toISOString() });
      return;
    }
    if (session === undefined) throw new ConduitError('authentication', 'Log in to the console first', { code: 'console_login_required' });
    let bodyPromise: Promise<Record<string, unknown>> | undefined;
    const answer = await api({ method, parts, query, body: () => (bodyPromise ??= jsonObject(req)), requestId: randomUUID() });
    sendJson(res, answer.status, answer.body);
  }

  return {
    sessions,
    live: options.live,
    matches(url) {
      const path = pathOnly(url);
      return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
    },
    async handle(req, res) {
      const url = req.url ?? '/';
      const path = pathOnly(url);
      try {
        if (path.startsWith(`${CONSOLE_PATH}/api/`)) {
          const q = url.indexOf('?');
          await handleApi(req, res, path, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
          return;
        }
        const method = req.method ?? 'GET';
        if (method !== 'GET' && method !== 'HEAD') throw new ConduitError('invalid_request', `Method ${method} is not allowed on ${path}`, { status: 405, code: 'method_not_allowed' });
        // Relative module URLs in index.html need the trailing slash.
        if (path === CONSOLE_PATH) {
          res.writeHead(308, { location: `${CONSOLE_PATH}/`, ...SECURITY_HEADERS });
          res.end();
          return;
        }
        const file = await files.get(path.slice(CONSOLE_PATH.length + 1));
        if (file === undefined) throw new ConduitError('not_found', `No console file ${path}`, { code: 'unknown_route' });
        // The shell carries no data (that needs a session); revalidate so an upgrade shows at once.
        send(res, 200, method === 'HEAD' ? Buffer.alloc(0) : file.body, file.contentType, { 'cache-control': 'no-cache' });
      } catch (err) {
        if (!isConduitError(err)) options.onError?.(err);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendError(res, toConduitError(err));
      }
    },
    close() {
      options.live.close();
    },
  };
}
