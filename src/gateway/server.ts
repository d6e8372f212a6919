/**
 * The OpenAI-compatible gateway: plain node:http, a switch-based router, and handlers that map
 * OpenAI / Anthropic wire formats onto an injected ModelResolver. The gateway knows nothing about
 * providers or configuration — whoever builds the resolver decides what a model name means.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConduitError, isConduitError, toConduitError } from '../core/errors.js';
import type { ModelResolver } from '../models/language-model.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { RequestLineWriter } from '../observability/logger.js';
import { GatewayRequest, parseJsonBody, readBody, takeBufferedBody } from './body.js';
import { handleAnthropicMessages } from './anthropic-messages.js';
import { handleChatCompletions } from './chat-completions.js';
import { GatewayResponse, RequestContext, defaultEstimateTokens } from './context.js';
import type { GatewayState } from './context.js';
import { handleEmbeddings } from './embeddings.js';
import { modelListJson } from './openai-response.js';
import { parseDeadlineMs } from './request-headers.js';
import { matchRoute, pathOf } from './router.js';
import type { RouteId } from './router.js';
import type { AdminHandler, GatewayPolicy } from './policy/gateway-policy.js';
import { createCorsPolicy } from './cors.js';
import type { AppRoutes } from './app-routes.js';
import type { GatewayTracing } from '../observability/tracing/gateway-tracing.js';

const hrtime = process.hrtime.bigint;

export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 64;

export interface GatewayOptions {
  resolver: ModelResolver;
  /** Per-request JSON log lines go here; none when omitted. */
  logger?: Logger;
  /** Defaults to a fresh GatewayMetrics (own registry, with default process metrics). */
  metrics?: GatewayMetrics;
  /** Largest accepted request body; default 4 MiB. Larger bodies get 413 without being buffered. */
  bodyLimitBytes?: number;
  /** Deepest accepted JSON nesting (top-level value = 1); default 64. Deeper bodies get 400. */
  maxJsonDepth?: number;
  /**
   * Dependency checks for `GET /ready`. A value of `true` or `'ok'` means up; `false` or any other
   * string (read as the reason) means down → 503. A throwing check is down too.
   */
  readiness?: () => Promise<Record<string, boolean | string>>;
  /** Upper bound on any model request's duration in ms (also caps `x-conduit-deadline-ms`). */
  requestTimeoutMs?: number;
  /** Output-token estimate for streams cut before their usage arrived; default ~4 chars per token. */
  estimateTokens?: (text: string) => number;
  /** How long close() lets in-flight responses finish before cutting connections; default 5000 ms. */
  shutdownGraceMs?: number;
  /** Keys, rate limits, budgets, caching, guardrails, audit (src/gateway/policy). Off when omitted. */
  policy?: GatewayPolicy;
  /** The `/admin/*` API (src/gateway/admin). Without it every admin request is refused with 403. */
  admin?: AdminHandler;
  /** Origins allowed to call the gateway from a browser (`*` for any); none by default. */
  corsOrigins?: readonly string[];
  /** Route groups beyond the OpenAI/Anthropic surface (RAG, agents, MCP), tried in order for paths the core router does not know. */
  appRoutes?: readonly AppRoutes[];
  /** Request spans (src/observability/tracing); off when omitted. */
  tracing?: GatewayTracing;
}

export interface Gateway {
  server: http.Server;
  metrics: GatewayMetrics;
  listen(port: number, host: string): Promise<{ url: string }>;
  close(): Promise<void>;
}

const HEALTH_BODY = '{"status":"ok"}';

export function createGateway(options: GatewayOptions): Gateway {
  const metrics = options.metrics ?? new GatewayMetrics();
  const gw: GatewayState = {
    resolver: options.resolver,
    logger: options.logger,
    requestLines: options.logger === undefined ? undefined : RequestLineWriter.for(options.logger),
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    readiness: options.readiness,
    requestTimeoutMs: options.requestTimeoutMs,
    estimateTokens: options.estimateTokens ?? defaultEstimateTokens,
    policy: options.policy,
    admin: options.admin,
    cors: createCorsPolicy(options.corsOrigins ?? []),
    appRoutes: options.appRoutes ?? [],
    tracing: options.tracing,
  };
  const server = http.createServer<typeof GatewayRequest, typeof GatewayResponse>(
    {
      IncomingMessage: GatewayRequest,
      ServerResponse: GatewayResponse,
      // Longer than the usual 60 s idle timeout of load balancers, so they never reuse a socket we closed.
      keepAliveTimeout: 65_000,
      noDelay: true,
    },
    (req, res) => {
      void handleRequest(gw, req, res);
    },
  );
  server.headersTimeout = 66_000;

  return {
    // Typed as a plain http.Server for callers; the request/response subclasses are internal.
    server: server as unknown as http.Server,
    metrics,
    listen(port: number, host: string): Promise<{ url: string }> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          const addr = server.address() as AddressInfo;
          const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve({ url: `http://${h}:${addr.port}` });
        });
      });
    },
    close(): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        const force = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5000);
        force.unref();
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }).then(async () => {
        for (const group of gw.appRoutes) await group.close?.();
      });
    },
  };
}

async function handleRequest(gw: GatewayState, req: GatewayRequest, res: GatewayResponse): Promise<void> {
  const ctx = new RequestContext(gw, req, res);
  if (gw.tracing !== undefined) gw.tracing.begin(ctx);
  try {
    const path = pathOf(req.url);
    const match = matchRoute(req.method, path);
    const route = match.route;
    if (route === undefined) {
      if (path === '/admin' || path.startsWith('/admin/')) {
        await handleAdminRoute(ctx, path);
        return;
      }
      if (req.method !== 'OPTIONS') {
        for (const group of gw.appRoutes) {
          if (!group.matches(path)) continue;
          ctx.route = group.name;
          if (gw.policy !== undefined) await gw.policy.admit(ctx);
          // Traced: the request span is the active parent of spans the group starts (agent runs, retrievals).
          if (ctx.span !== undefined && gw.tracing !== undefined) await gw.tracing.tracer.runInSpan(ctx.span, () => group.handle(ctx, path));
          else await group.handle(ctx, path);
          return;
        }
      }
      if (req.method === 'OPTIONS' && gw.cors !== undefined) {
        const preflight = gw.cors.preflight(req.headers.origin);
        if (preflight !== undefined) {
          ctx.send(204, '', 'text/plain', preflight);
          return;
        }
      }
      if (path === '/v1/messages' || path === '/messages') ctx.errorStyle = 'anthropic';
      if (match.allow !== undefined) {
        ctx.sendError(new ConduitError('invalid_request', `Method ${req.method ?? ''} is not allowed on ${path}; use ${match.allow}`, { status: 405, code: 'method_not_allowed' }), [
          'allow',
          match.allow,
        ]);
      } else {
        ctx.sendError(new ConduitError('not_found', `Unknown route: ${req.method ?? ''} ${path}`, { code: 'unknown_route' }));
      }
      return;
    }
    ctx.route = route;
    switch (route) {
      case 'chat_completions':
      case 'embeddings':
      case 'anthropic_messages':
        await handleModelRoute(ctx, route);
        return;
      case 'models':
        // Prefer what remote servers (Ollama, vLLM…) say they serve right now; fall back to the static list.
        ctx.sendJson(200, modelListJson(gw.resolver.listReachable ? await gw.resolver.listReachable() : gw.resolver.list()));
        return;
      case 'health':
        ctx.sendJson(200, HEALTH_BODY);
        return;
      case 'ready':
        await handleReady(ctx);
        return;
      case 'metrics': {
        const text = await gw.metrics.metrics();
        ctx.send(200, text, gw.metrics.contentType);
        return;
      }
    }
  } catch (err) {
    if (!isConduitError(err)) gw.logger?.error({ reqId: ctx.requestId, route: ctx.route, err }, 'unexpected error in gateway handler');
    if (ctx.done) return;
    ctx.fail(toConduitError(err));
  }
}

/** Admin API: never open by default; the handler checks the master key before anything else. */
async function handleAdminRoute(ctx: RequestContext, path: string): Promise<void> {
  ctx.route = 'admin';
  const admin = ctx.gw.admin;
  if (admin === undefined) {
    ctx.sendError(
      new ConduitError('permission', 'The admin API is disabled: set CONDUIT_MASTER_KEY to enable it', { code: 'admin_disabled' }),
      ['cache-control', 'no-store'],
    );
    return;
  }
  await admin.handle(ctx, path);
}

async function handleModelRoute(ctx: RequestContext, route: RouteId): Promise<void> {
  ctx.markModelRequest();
  if (route === 'anthropic_messages') ctx.errorStyle = 'anthropic';
  const deadlineMs = parseDeadlineMs(ctx.req.headers['x-conduit-deadline-ms']);
  const gw = ctx.gw;
  // Emergency stop and authentication come before the body is even read: a refused caller costs little.
  // Either way the handler resumes after the parser has taken in the rest of the packet, so a body
  // that came with the headers is already buffered (takeBufferedBody).
  if (gw.policy !== undefined) await gw.policy.admit(ctx);
  else await Promise.resolve();
  let raw = takeBufferedBody(ctx.req, gw.bodyLimitBytes);
  if (raw === undefined) {
    const t0 = hrtime();
    try {
      raw = await readBody(ctx.req, gw.bodyLimitBytes);
    } finally {
      ctx.waitNs += hrtime() - t0;
    }
  }
  const body = parseJsonBody(raw, gw.maxJsonDepth);
  if (route === 'chat_completions') await handleChatCompletions(ctx, body, deadlineMs);
  else if (route === 'anthropic_messages') await handleAnthropicMessages(ctx, body, deadlineMs);
  else await handleEmbeddings(ctx, body, deadlineMs);
}

async function handleReady(ctx: RequestContext): Promise<void> {
  const readiness = ctx.gw.readiness;
  let checks: Record<string, boolean | string> = {};
  let ready = true;
  if (readiness !== undefined) {
    const t0 = hrtime();
    try {
      checks = await readiness();
    } catch (err) {
      ready = false;
      checks = { readiness: err instanceof Error ? err.message : String(err) };
    } finally {
      ctx.waitNs += hrtime() - t0;
    }
  }
  for (const key in checks) {
    const v = checks[key];
    if (v !== true && v !== 'ok') ready = false;
  }
  ctx.sendJson(ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not_ready', checks }));
}
