/**
 * The seam for routes beyond the OpenAI/Anthropic surface: RAG (`/v1/rag/*`), conversations and
 * agent runs (`/v1/conversations`, `/v1/agents/*`, `/v1/runs/*`, `/v1/chat`), MCP (`/mcp`).
 * The core router stays a switch over exact paths; only paths it does not know are offered here,
 * in order, so the hot chat-completions path never pays for them.
 *
 * Every app route passes the same admission as model routes first (emergency stop, keys/JWT when
 * a policy is configured), so `ctx.principal` is set when the handler runs.
 */
import { ConduitError } from '../core/errors.js';
import { parseJsonBody, readBody } from './body.js';
import type { RequestContext } from './context.js';

export interface AppRoutes {
  /** Short name used as the route label in logs ('rag', 'agents', 'mcp'). */
  readonly name: string;
  /** Whether this group serves `path` (a path without its query string). */
  matches(path: string): boolean;
  /**
   * Answers the request: `ctx.sendJson` / `ctx.sendError` for JSON, or write `ctx.res` directly
   * for streams (then call `ctx.finish()` when done). A thrown ConduitError becomes an
   * OpenAI-shaped error response with its status.
   */
  handle(ctx: RequestContext, path: string): Promise<void>;
  /** Releases what the group holds (stores, transports) when the gateway closes. */
  close?(): Promise<void>;
}

/** Reads and parses the JSON body under the gateway's size and nesting limits (413 / 400 on violation). */
export async function readJsonBody(ctx: RequestContext): Promise<unknown> {
  const raw = await readRawBody(ctx);
  if (raw.length === 0) throw new ConduitError('invalid_request', 'The request body is empty; expected a JSON object', { code: 'empty_body' });
  return parseJsonBody(raw, ctx.gw.maxJsonDepth);
}

/** Reads the raw body (for multipart uploads), up to `limitBytes` (default: the gateway's body limit). */
export async function readRawBody(ctx: RequestContext, limitBytes?: number): Promise<Buffer> {
  const t0 = process.hrtime.bigint();
  try {
    return await readBody(ctx.req, limitBytes ?? ctx.gw.bodyLimitBytes);
  } finally {
    ctx.waitNs += process.hrtime.bigint() - t0;
  }
}

/** The query string of the request as URLSearchParams. */
export function queryOf(ctx: RequestContext): URLSearchParams {
  const url = ctx.req.url ?? '';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

/** `/v1/rag/collections/abc/documents` split into decoded segments after `prefix`; undefined when it does not start with it. */
export function pathSegments(path: string, prefix: string): string[] | undefined {
  if (path !== prefix && !path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)) return undefined;
  const rest = path.slice(prefix.length);
  const out: string[] = [];
  for (const s of rest.split('/')) {
    if (s === '') continue;
    try {
      out.push(decodeURIComponent(s));
    } catch {
      throw new ConduitError('invalid_request', `Malformed percent-encoding in path segment '${s}'`, { code: 'invalid_path' });
    }
  }
  return out;
}
