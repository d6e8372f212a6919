/**
 * The gateway's request span. The gateway calls `begin` when a request arrives and `end` from its
 * one bookkeeping point (RequestContext.finish) — and only when tracing is configured: without a
 * GatewayTracing the hot path pays one `undefined` check.
 *
 * An incoming W3C `traceparent` makes the request span a child of the caller's span. The span is
 * registered under the request id so model calls made for it (tracing middleware) become children.
 */
import type { RequestContext } from '../../gateway/context.js';
import { pathOf } from '../../gateway/router.js';
import { ConduitAttr, GenAI } from './genai-attributes.js';
import type { ContentCapturePolicy } from './content-capture.js';
import type { Span } from './span.js';
import type { Tracer } from './tracer.js';

/**
 * Paths never traced: probes and scrapes (every few seconds, nothing to see) and the trace and
 * alert API itself (reading traces must not write traces).
 */
export const UNTRACED_PATHS: readonly string[] = ['/health', '/ready', '/metrics', '/v1/traces', '/v1/alerts'];

export class GatewayTracing {
  private readonly untraced: readonly string[];

  constructor(
    readonly tracer: Tracer,
    private readonly captureContent: ContentCapturePolicy = () => false,
    options: { untracedPaths?: readonly string[] } = {},
  ) {
    this.untraced = options.untracedPaths ?? UNTRACED_PATHS;
  }

  begin(ctx: RequestContext): void {
    const req = ctx.req;
    const path = pathOf(req.url);
    for (const p of this.untraced) if (path === p || path.startsWith(`${p}/`)) return;
    const incoming = req.headers.traceparent;
    const span = this.tracer.startSpan(`${req.method ?? 'GET'} ${path}`, {
      kind: 'server',
      // A request without `traceparent` starts a new trace even if the server's own code runs inside a span.
      parent: typeof incoming === 'string' ? incoming : null,
      attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': path, [ConduitAttr.requestId]: ctx.requestId },
    });
    ctx.span = span;
    const capture = this.captureContent;
    this.tracer.registerRequest(ctx.requestId, { span, captureContent: () => capture(ctx.principal) });
  }

  end(ctx: RequestContext): void {
    const span = ctx.span;
    if (span === undefined) return;
    this.tracer.unregisterRequest(ctx.requestId, span);
    const status = ctx.clientGone ? 499 : ctx.status;
    span.setAttributes({
      'http.route': ctx.route,
      'http.response.status_code': status,
      [GenAI.requestModel]: ctx.model === '' ? undefined : ctx.model,
      [GenAI.providerName]: ctx.provider === 'none' ? undefined : ctx.provider,
      [ConduitAttr.stream]: ctx.isModelRequest ? ctx.stream : undefined,
      [ConduitAttr.costUsd]: ctx.isModelRequest ? ctx.costUsd : undefined,
      [ConduitAttr.cache]: ctx.cacheOutcome,
      [ConduitAttr.overheadMs]: ctx.overheadNs === 0n ? undefined : Number(ctx.overheadNs) / 1e6,
      [ConduitAttr.timeToFirstTokenMs]: ctx.ttftNs === undefined ? undefined : Number(ctx.ttftNs) / 1e6,
      [GenAI.usageInputTokens]: ctx.usage?.inputTokens,
      [GenAI.usageOutputTokens]: ctx.usage?.outputTokens,
    });
    recordPrincipal(span, ctx);
    if (ctx.error !== undefined) span.recordError(ctx.error);
    else if (status >= 500) span.setStatus('error', `HTTP ${status}`);
    span.end();
  }
}

function recordPrincipal(span: Span, ctx: RequestContext): void {
  const p = ctx.principal;
  if (p === undefined) return;
  if (p.kind === 'key') span.setAttributes({ [ConduitAttr.keyId]: p.keyId, [ConduitAttr.keyName]: p.keyName });
  else if (p.kind === 'jwt') span.setAttribute('enduser.id', p.subject);
  span.setAttribute(ConduitAttr.team, p.team);
}
