/**
 * The gateway's whole routing table: a switch over a handful of exact paths. No framework, no
 * regexes, no per-request allocation beyond slicing off a query string when one is present.
 */

export type RouteId = 'chat_completions' | 'embeddings' | 'models' | 'anthropic_messages' | 'health' | 'ready' | 'metrics';

export interface RouteMatch {
  route: RouteId | undefined;
  /** The method the path expects, when the path exists (for 405 + `Allow`). */
  allow: 'GET' | 'POST' | undefined;
}

interface RouteEntry {
  method: 'GET' | 'POST';
  /** Pre-built results, shared by every request (callers must not mutate them). */
  matched: Readonly<RouteMatch>;
  wrongMethod: Readonly<RouteMatch>;
}

function entry(route: RouteId, method: 'GET' | 'POST'): RouteEntry {
  return { method, matched: { route, allow: method }, wrongMethod: { route: undefined, allow: method } };
}

const ROUTES: Record<string, RouteEntry> = {
  '/v1/chat/completions': entry('chat_completions', 'POST'),
  '/v1/embeddings': entry('embeddings', 'POST'),
  '/v1/models': entry('models', 'GET'),
  '/v1/messages': entry('anthropic_messages', 'POST'),
  '/health': entry('health', 'GET'),
  '/ready': entry('ready', 'GET'),
  '/metrics': entry('metrics', 'GET'),
};

/** Without `/v1` too: some clients are configured with a base URL that already ends in `/v1`, others not. */
const ALIASES: Record<string, string> = {
  '/chat/completions': '/v1/chat/completions',
  '/embeddings': '/v1/embeddings',
  '/models': '/v1/models',
  '/messages': '/v1/messages',
  '/v1/health': '/health',
  '/healthz': '/health',
  '/readyz': '/ready',
};

export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Returns the route for method + path. `route` undefined with `allow` set → 405; both undefined → 404.
 * HEAD is served like GET (node:http omits the body).
 */
export function matchRoute(method: string | undefined, path: string): Readonly<RouteMatch> {
  let found = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  if (found === undefined) {
    const alias = Object.hasOwn(ALIASES, path) ? ALIASES[path] : undefined;
    if (alias !== undefined) found = ROUTES[alias];
  }
  if (found === undefined) return NOT_FOUND;
  if (method === found.method || (method === 'HEAD' && found.method === 'GET')) return found.matched;
  return found.wrongMethod;
}

const NOT_FOUND: Readonly<RouteMatch> = { route: undefined, allow: undefined };
