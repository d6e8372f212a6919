/**
 * What the dispatcher-based provider calls (provider-fetch-json.ts, provider-fetch-stream.ts)
 * share: the start of a call (an abort already signalled, a deadline already past, the deadline
 * and attempt timers, listening to the caller's abort source or signal, the dispatch itself), how
 * an abort reaches undici, and how failures map to typed errors — the same reasons, timers and
 * messages as `providerFetch`. One object per call is at once the undici handler and the abort
 * listener, so a call allocates no closures for either. Subclasses handle the response.
 */
import { util as undiciUtil, type Dispatcher } from 'undici';
import { ConduitError } from '../../core/errors.js';
import type { CallOptions } from '../language-model.js';
import { abortReasonOf, abortSourceOf, isAborted } from '../../reliability/abort-source.js';
import { httpStatusError, type ResponseHeaders } from './http-error.js';
import { cancelled, defaultDispatcher, mapNetworkError, type AbortReason, type ProviderFetchArgs } from './provider-http.js';
import { requestHeaderList, requestTargetOf } from './request-target.js';

const NO_OPTIONS: CallOptions = {};

export abstract class ProviderCall implements Dispatcher.DispatchHandler {
  protected readonly options: CallOptions;
  /** Why we aborted, once we did. */
  protected reason: AbortReason | undefined = undefined;
  private abortDispatch: ((err?: Error) => void) | undefined = undefined;
  private deadlineTimer: NodeJS.Timeout | undefined = undefined;
  private attemptTimer: NodeJS.Timeout | undefined = undefined;
  private listening = false;

  constructor(protected readonly args: ProviderFetchArgs) {
    this.options = args.options ?? NO_OPTIONS;
  }

  /** The call is over for its caller (settled, or its body ended or was returned): aborting it is pointless. */
  protected abstract isOver(): boolean;
  /** The call failed before undici was even asked (aborted, deadline past, a bad URL). */
  protected abstract failBeforeDispatch(err: ConduitError): void;

  abstract onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean;
  abstract onData(chunk: Buffer): boolean;
  abstract onComplete(): void;
  abstract onError(err: Error): void;

  start(): void {
    const { args, options } = this;
    const { provider, model } = args;
    // The gateway's options carry an AbortSource: listening on it spares creating their AbortSignal.
    const source = abortSourceOf(options);
    const signal = source === undefined ? options.signal : undefined;
    if (source !== undefined ? source.aborted : signal?.aborted) {
      this.failBeforeDispatch(cancelled(provider, model, abortReasonOf(options)));
      return;
    }
    if (options.deadlineAt !== undefined) {
      const remaining = options.deadlineAt - Date.now();
      if (remaining <= 0) {
        this.failBeforeDispatch(new ConduitError('timeout', `${provider} (${model}): request deadline exceeded before the call`, { provider, model, retryable: false }));
        return;
      }
      this.deadlineTimer = setTimeout(onDeadline, remaining, this);
    }
    const attemptMs = options.attemptTimeoutMs;
    if (attemptMs !== undefined && attemptMs > 0) this.attemptTimer = setTimeout(onAttemptTimeout, attemptMs, this);
    if (source !== undefined) {
      source.addAbortListener(this);
      this.listening = true;
    } else if (signal !== undefined) {
      signal.addEventListener('abort', this);
      this.listening = true;
    }
    try {
      const payload = args.body === undefined ? undefined : JSON.stringify(args.body);
      const target = requestTargetOf(args.url);
      (args.dispatcher ?? defaultDispatcher()).dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: args.method ?? (payload === undefined ? 'GET' : 'POST'),
          headers: requestHeaderList(args.headers, options.headers, payload !== undefined),
          body: payload,
          bodyTimeout: args.idleTimeoutMs ?? 30_000,
        },
        this,
      );
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The caller's signal or abort source fired (a listener object: no closure per call). */
  handleEvent(): void {
    this.abort('caller');
  }

  abort(why: AbortReason): void {
    if (this.reason !== undefined || this.isOver()) return;
    this.reason = why;
    // Before undici connected the request, onConnect aborts it; after, abort now.
    this.abortDispatch?.();
  }

  /** Aborts the dispatch without a reason of ours (the consumer let go of the call). */
  protected abandonDispatch(): void {
    this.abortDispatch?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.reason !== undefined) abort();
    else this.abortDispatch = abort;
  }

  /** Response headers arrived: from here the idle timeout guards a stream, not the attempt timeout. */
  protected clearAttemptTimer(): void {
    if (this.attemptTimer !== undefined) clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  /** A failure of the dispatch (network, abort, timeout) as the typed error callers see. */
  protected networkError(err: Error): ConduitError {
    const { provider, model } = this.args;
    const why = this.reason ?? (isAborted(this.options) ? 'caller' : undefined);
    return why === 'caller' ? cancelled(provider, model, abortReasonOf(this.options) ?? err) : mapNetworkError(err, why, provider, model, this.options);
  }

  /** An error status as the typed error callers see: `args.mapError`, or the mapping by status. */
  protected statusError(status: number, headers: ResponseHeaders, bodyText: string): ConduitError {
    const { provider, model, mapError } = this.args;
    if (mapError !== undefined) return mapError(status, headers, bodyText);
    return httpStatusError({ provider, model, status, headers, message: bodyText.slice(0, 500) || `HTTP ${status}` });
  }

  /** Timers and the abort listener; call once the call is over. */
  protected cleanup(): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.clearAttemptTimer();
    if (this.listening) {
      this.listening = false;
      const source = abortSourceOf(this.options);
      if (source !== undefined) source.removeAbortListener(this);
      else this.options.signal?.removeEventListener('abort', this);
    }
  }

  /** Drops the dispatch's abort function once nothing more can be aborted. */
  protected forgetDispatch(): void {
    this.abortDispatch = undefined;
  }
}

export function parseResponseHeaders(rawHeaders: Buffer[]): ResponseHeaders {
  return undiciUtil.parseHeaders(rawHeaders) as ResponseHeaders;
}

function onDeadline(call: ProviderCall): void {
  call.abort('deadline');
}

function onAttemptTimeout(call: ProviderCall): void {
  call.abort('attempt-timeout');
}
