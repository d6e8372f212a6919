/**
 * Per-request state and the single place that writes a complete response and does the request's
 * bookkeeping (metrics, one log line). Everything hangs off one object per request; stream and
 * timer listeners are module-level functions that find it through `res.ctx`, so the hot path
 * creates no closures.
 *
 * Overhead = wall time in the handler − time awaiting the client's body or the model − time
 * waiting for a slow client to drain. The clock stops when the response head is built (that value
 * is the `x-conduit-overhead-ms` header and the `conduit_gateway_overhead_seconds` observation);
 * for streams it keeps running across the parts, and the histogram gets the whole-stream figure.
 */
import { ServerResponse } from 'node:http';
import type { AppRoutes } from './app-routes.js';
import type { Logger } from 'pino';
import { ConduitError, toConduitError } from '../core/errors.js';
import type { Usage } from '../core/usage.js';
import type { ModelResolver } from '../models/language-model.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { GatewayRequest } from './body.js';
import type { Principal } from '../auth/principal.js';
import type { AdminHandler, GatewayPolicy } from './policy/gateway-policy.js';
import type { CorsPolicy } from './cors.js';
import type { GatewayTracing } from '../observability/tracing/gateway-tracing.js';
import type { Span } from '../observability/tracing/span.js';
import { jsonNumber, jsonString, type RequestLineWriter } from '../observability/logger.js';
import type { AbortListener, AbortSource } from '../reliability/abort-source.js';
import { anthropicErrorBody, httpStatusOf, openAIErrorBody, retryAfterSeconds } from './errors.js';
import { isValidRequestId, newRequestId } from './request-headers.js';

const hrtime = process.hrtime.bigint;

/** Everything a handler needs from the gateway instance. */
export interface GatewayState {
  resolver: ModelResolver;
  logger: Logger | undefined;
  /** Writes the per-request line pre-serialised when the logger allows it (same bytes as pino's). */
  requestLines?: RequestLineWriter | undefined;
  metrics: GatewayMetrics;
  bodyLimitBytes: number;
  maxJsonDepth: number;
  readiness: (() => Promise<Record<string, boolean | string>>) | undefined;
  requestTimeoutMs: number | undefined;
  /** Output-token estimate for streams cut before their usage arrived. */
  estimateTokens: (text: string) => number;
  /** Keys, limits, budgets, cache, guardrails, audit; undefined = all off (the bare hot path). */
  policy: GatewayPolicy | undefined;
  /** `/admin/*`; undefined = refused (never open by default). */
  admin: AdminHandler | undefined;
  cors: CorsPolicy | undefined;
  appRoutes: readonly AppRoutes[];
  /** Request spans; undefined = tracing off (one check per request, nothing else). */
  tracing: GatewayTracing | undefined;
}

/**
 * Sent on every response: no MIME sniffing, no framing, no referrer leaking the gateway's URLs.
 * Appended as constants so the bare hot path pays a few array slots, nothing else.
 */
export function appendCommonHeaders(ctx: RequestContext, headers: string[]): void {
  headers.push('x-content-type-options', 'nosniff', 'x-frame-options', 'DENY', 'referrer-policy', 'no-referrer');
  const more = ctx.responseHeaders;
  if (more !== undefined) for (let i = 0; i < more.length; i++) headers.push(more[i]!);
  if (ctx.cacheOutcome !== undefined) headers.push('x-conduit-cache', ctx.cacheOutcome);
  if (ctx.routeReason !== undefined) headers.push('x-conduit-route-reason', ctx.routeReason);
  const cors = ctx.gw.cors;
  if (cors !== undefined) cors.appendHeaders(ctx.req.headers.origin, headers);
}

/** A stream encoder as the request context sees it (to end a committed stream on a deadline). */
export interface CommittedStream {
  error(err: ConduitError): string;
}

/** node:http response class for the gateway: carries its request's context. */
export class GatewayResponse extends ServerResponse<GatewayRequest> {
  ctx: RequestContext | undefined = undefined;
}

export type ErrorStyle = 'openai' | 'anthropic';

export class RequestContext implements AbortSource {
  readonly startNs: bigint = hrtime();
  /** Nanoseconds spent awaiting something outside Conduit (client body, model, client drain). */
  waitNs = 0n;
  overheadNs = 0n;
  readonly requestId: string;
  private readonly generatedId: boolean;
  route = 'unknown';
  errorStyle: ErrorStyle = 'openai';
  /** Model label for metrics/logs: the requested name once it resolved (unknown names stay out of labels). */
  model = '';
  provider = 'none';
  status = 0;
  /** undefined = price unknown; 0 for requests that never reached a model. */
  costUsd: number | undefined = 0;
  stream = false;
  usage: Usage | undefined = undefined;
  error: ConduitError | undefined = undefined;
  ttftNs: bigint | undefined = undefined;
  /** Content streamed so far (a cheap rope), kept only to estimate output tokens if the stream is cut. */
  streamedText = '';
  isModelRequest = false;
  controller: AbortController | undefined = undefined;
  private abortReason: ConduitError | undefined = undefined;
  private abortListeners: AbortListener[] | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  timedOut = false;
  clientGone = false;
  /** Set once the response is complete (or abandoned) and the bookkeeping is done. */
  done = false;
  committed: CommittedStream | undefined = undefined;
  /** Who is calling, once the policy authenticated the request. */
  principal: Principal | undefined = undefined;
  /** Policy headers for whatever response this request ends with (x-ratelimit-*…), as name/value pairs. */
  responseHeaders: string[] | undefined = undefined;
  /** `hit` | `miss` | `semantic-hit`, when a response cache looked at the request. */
  cacheOutcome: string | undefined = undefined;
  /** How a routed alias chose its deployment (cost / complexity / data sensitivity), for `x-conduit-route-reason`. */
  routeReason: string | undefined = undefined;
  /** The request's span, when tracing is on. */
  span: Span | undefined = undefined;

  constructor(
    readonly gw: GatewayState,
    readonly req: GatewayRequest,
    readonly res: GatewayResponse,
  ) {
    const incoming = req.headers['x-request-id'];
    if (typeof incoming === 'string' && isValidRequestId(incoming)) {
      this.requestId = incoming;
      this.generatedId = false;
    } else {
      this.requestId = newRequestId();
      this.generatedId = true;
    }
    res.ctx = this;
  }

  /** A fresh unique token for response ids (reuses the request id when the gateway generated it). */
  uniqueId(): string {
    return this.generatedId ? this.requestId : newRequestId();
  }

  /** Counts this request as a model request (active gauge now; requests_total, errors, tokens at finish). */
  markModelRequest(): void {
    this.isModelRequest = true;
    this.gw.metrics.requestStarted();
  }

  /** Effective deadline in ms from now: the header's, capped by the gateway's `requestTimeoutMs`. */
  effectiveDeadlineMs(deadlineMs: number | undefined): number | undefined {
    const cap = this.gw.requestTimeoutMs;
    return deadlineMs === undefined ? cap : cap === undefined ? deadlineMs : Math.min(deadlineMs, cap);
  }

  /**
   * Arms cancellation right before the model call: the client-disconnect hook and the deadline
   * timer. The AbortController itself is created only when someone reads `signal` (see
   * GatewayCallOptions): constructing an AbortSignal costs several microseconds in Node 20, the
   * largest single item on the hot path, and a model that never looks at it cannot be aborted anyway.
   */
  armCancellation(deadlineMs: number | undefined): void {
    this.res.on('close', onResponseClose);
    if (deadlineMs !== undefined) this.timer = setTimeout(onDeadline, deadlineMs, this);
  }

  /** The request's abort signal, created on first use (already aborted if the request already ended). */
  signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.controller = controller;
      if (this.timedOut) controller.abort(deadlineError(undefined));
      else if (this.clientGone) controller.abort(new ConduitError('cancelled', 'The client closed the connection'));
    }
    return controller.signal;
  }

  /** Aborts the model call: its signal if it took one, and whatever listens on the context (AbortSource). */
  abort(reason: ConduitError): void {
    this.abortReason ??= reason;
    const controller = this.controller;
    if (controller !== undefined && !controller.signal.aborted) controller.abort(reason);
    const listeners = this.abortListeners;
    if (listeners === undefined) return;
    this.abortListeners = undefined;
    for (const listener of listeners) listener.handleEvent();
  }

  // AbortSource (src/reliability/abort-source.ts): how the model call learns of a disconnect or
  // the deadline without the AbortSignal being created. Aborted exactly when `signal()` would be.
  get aborted(): boolean {
    return this.timedOut || this.clientGone;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  addAbortListener(listener: AbortListener): void {
    (this.abortListeners ??= []).push(listener);
  }

  removeAbortListener(listener: AbortListener): void {
    const listeners = this.abortListeners;
    if (listeners === undefined) return;
    const i = listeners.indexOf(listener);
    if (i >= 0) listeners.splice(i, 1);
  }

  /** Freezes the overhead clock and returns it formatted in ms for the header. */
  stopOverheadClock(): string {
    this.overheadNs = hrtime() - this.startNs - this.waitNs;
    return formatMs(this.overheadNs);
  }

  /** Sends a complete JSON response (one writeHead, one end) and finishes the request. */
  sendJson(status: number, body: string, extraHeaders?: string[]): void {
    this.send(status, body, 'application/json', extraHeaders);
  }

  /** Sends a complete response with the gateway's headers (one writeHead, one end) and finishes the request. */
  send(status: number, body: string, contentType: string, extraHeaders?: string[]): void {
    if (this.done) return;
    const res = this.res;
    if (this.clientGone || res.destroyed) {
      this.status = 499;
      this.finish();
      return;
    }
    const headers = [
      'content-type',
      contentType,
      'content-length',
      String(Buffer.byteLength(body)),
      'x-request-id',
      this.requestId,
      'x-conduit-provider',
      this.provider,
      'x-conduit-cost-usd',
      formatUsd(this.costUsd),
      'x-conduit-overhead-ms',
      this.stopOverheadClock(),
    ];
    if (extraHeaders !== undefined) for (const h of extraHeaders) headers.push(h);
    appendCommonHeaders(this, headers);
    this.status = status;
    res.writeHead(status, headers);
    res.end(body);
    this.finish();
  }

  /** Sends an error in the route's shape (OpenAI or Anthropic) with its HTTP status. */
  sendError(err: ConduitError, extraHeaders?: string[]): void {
    this.error = err;
    if (err.provider !== undefined && this.provider === 'none') this.provider = err.provider;
    const status = httpStatusOf(err);
    let extra = extraHeaders;
    const retryAfter = retryAfterSeconds(err);
    if (retryAfter !== undefined && (status === 429 || status === 503)) (extra ??= []).push('retry-after', String(retryAfter));
    // The unread rest of an oversized body must not be parsed as the next request on this connection.
    if (status === 413) (extra ??= []).push('connection', 'close');
    this.sendJson(status, this.errorStyle === 'anthropic' ? anthropicErrorBody(err) : openAIErrorBody(err), extra);
  }

  /** The error to report for a failed model call, accounting for our own deadline and client disconnects. */
  failureOf(err: unknown): ConduitError {
    if (this.timedOut) return deadlineError(err);
    if (this.clientGone) return new ConduitError('cancelled', 'The client closed the connection', { cause: err });
    return toConduitError(err);
  }

  /** Called when the model call failed or the deadline passed: a JSON error, or an SSE error event if committed. */
  fail(err: ConduitError): void {
    if (this.done) return;
    if (!this.res.headersSent) {
      this.sendError(err);
      return;
    }
    this.error = err;
    this.status = httpStatusOf(err);
    const committed = this.committed;
    if (!this.clientGone && !this.res.destroyed && committed !== undefined) {
      // An explicit error event, then end WITHOUT the success terminator: never a silent 200.
      this.res.addTrailers({ 'x-conduit-cost-usd': formatUsd(this.costUsd) });
      this.res.end(committed.error(err));
    }
    // Cut streams count what was actually streamed: the usage never arrived, so estimate it from the text sent.
    if (this.streamedText !== '') this.gw.metrics.addTokens('output', this.gw.estimateTokens(this.streamedText));
    this.finish();
  }

  /** Metrics and the per-request log line. Idempotent. */
  finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.clientGone && this.error === undefined) this.status = 499;
    const durationNs = hrtime() - this.startNs;
    const gw = this.gw;
    if (this.isModelRequest) {
      const m = gw.metrics;
      m.requestEnded();
      m.recordRequest(this.model === '' ? 'unknown' : this.model, this.provider, this.clientGone ? 499 : this.status, Number(durationNs) / 1e9);
      if (this.usage !== undefined) m.recordUsage(this.usage);
      m.recordCost(this.costUsd);
      if (this.error !== undefined) m.recordError(this.error.kind);
      else if (this.clientGone) m.recordError('cancelled');
      if (this.ttftNs !== undefined) m.observeTimeToFirstToken(Number(this.ttftNs) / 1e9);
      // Streams: the overhead across all parts (the header could only carry the part before the first byte).
      const overhead = this.stream ? hrtime() - this.startNs - this.waitNs : this.overheadNs;
      m.observeOverhead(Number(overhead) / 1e9);
    }
    if (this.span !== undefined) gw.tracing?.end(this);
    const logger = gw.logger;
    if (logger === undefined) return;
    const failed = this.error !== undefined && this.status >= 500;
    const level = failed ? 'warn' : this.isModelRequest ? 'info' : 'debug';
    if (!logger.isLevelEnabled(level)) return;
    // Ids, route, model and timings only — never prompt or completion text, never headers.
    const lines = gw.requestLines;
    if (lines !== undefined && this.error === undefined) {
      // The same fields, in the same order, as the object below; none is a redacted key.
      lines.write(
        level,
        ',"reqId":' +
          jsonString(this.requestId) +
          ',"route":' +
          jsonString(this.route) +
          (this.model === '' ? '' : ',"model":' + jsonString(this.model)) +
          ',"provider":' +
          jsonString(this.provider) +
          ',"status":' +
          jsonNumber(this.clientGone ? 499 : this.status) +
          ',"stream":' +
          String(this.stream) +
          ',"durationMs":' +
          jsonNumber(Number(durationNs) / 1e6) +
          ',"overheadMs":' +
          jsonNumber(Number(this.overheadNs) / 1e6) +
          (this.costUsd === undefined ? '' : ',"costUsd":' + jsonNumber(this.costUsd)),
        'request',
      );
      return;
    }
    logger[level](
      {
        reqId: this.requestId,
        route: this.route,
        model: this.model === '' ? undefined : this.model,
        provider: this.provider,
        status: this.clientGone ? 499 : this.status,
        stream: this.stream,
        durationMs: Number(durationNs) / 1e6,
        overheadMs: Number(this.overheadNs) / 1e6,
        costUsd: this.costUsd,
        err: this.error === undefined ? undefined : { kind: this.error.kind, message: this.error.message, provider: this.error.provider },
      },
      'request',
    );
  }
}

/** The documented default estimate: ~4 characters per token (OpenAI's rule of thumb for English). */
export function defaultEstimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function deadlineError(cause: unknown): ConduitError {
  return new ConduitError('timeout', 'The request deadline passed before the model finished', { cause, code: 'deadline_exceeded' });
}

/** `res` 'close' before the response finished = the client went away: abort the model call. */
function onResponseClose(this: GatewayResponse): void {
  const ctx = this.ctx;
  if (ctx === undefined || ctx.done || this.writableFinished) return;
  ctx.clientGone = true;
  ctx.abort(new ConduitError('cancelled', 'The client closed the connection'));
}

/** The gateway's own deadline: respond 504 (or end the stream with an error event) even if the model ignores the abort. */
function onDeadline(ctx: RequestContext): void {
  ctx.timer = undefined;
  if (ctx.done) return;
  ctx.timedOut = true;
  const err = deadlineError(undefined);
  ctx.abort(err);
  ctx.fail(err);
}

export function formatMs(ns: bigint): string {
  return (Number(ns) / 1e6).toFixed(3);
}

/** USD with up to 10 decimals and no exponent; `unknown` when the price is not known. */
export function formatUsd(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return 'unknown';
  if (usd === 0) return '0';
  let s = usd.toFixed(10);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  s = s.slice(0, end);
  return s;
}
