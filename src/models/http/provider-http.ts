/**
 * The single HTTP path every remote provider uses: an undici keep-alive agent, one abort signal
 * that joins the caller's signal, the per-attempt timeout and the request deadline, and one
 * mapping from network failures to typed errors. Providers add only their wire format.
 */
import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import { ConduitError } from '../../core/errors.js';
import type { CallOptions } from '../language-model.js';
import { httpStatusError, type ResponseHeaders } from './http-error.js';

export interface ProviderResponse {
  status: number;
  headers: ResponseHeaders;
  /** The response body; iterating it to the end (or breaking out) releases the connection. */
  body: AsyncIterable<Uint8Array>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

export interface ProviderFetchArgs {
  provider: string;
  model: string;
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: unknown;
  options?: CallOptions;
  /**
   * Streaming responses: the attempt timeout covers only the wait for response headers; after
   * that the idle timeout (max gap between body chunks) and the deadline apply.
   */
  stream?: boolean;
  /** Max gap between body chunks (stall detection). Default 30 s. */
  idleTimeoutMs?: number;
  /** Turns an error response into a typed error; defaults to a mapping by status. */
  mapError?: (status: number, headers: ResponseHeaders, bodyText: string) => ConduitError;
  dispatcher?: Dispatcher;
}

// One shared agent: connections are pooled per origin and kept alive, which is most of the cost
// saved on a gateway hop. Timeouts are enforced per request below, not by the agent.
const sharedAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  headersTimeout: 0,
  bodyTimeout: 0,
  connections: 512,
  pipelining: 1,
});

export function defaultDispatcher(): Dispatcher {
  return sharedAgent;
}

export type AbortReason = 'caller' | 'attempt-timeout' | 'deadline';

export async function providerFetch(args: ProviderFetchArgs): Promise<ProviderResponse> {
  const { provider, model, options = {} } = args;
  const idleTimeoutMs = args.idleTimeoutMs ?? 30_000;
  if (options.signal?.aborted) throw cancelled(provider, model, options.signal.reason);

  // Our own controller is needed only to enforce a deadline or an attempt timeout. Without them
  // the caller's signal goes to undici as it is: one AbortController and two listeners fewer per
  // request on the gateway's hot path.
  const hasDeadline = options.deadlineAt !== undefined;
  const hasAttemptTimeout = options.attemptTimeoutMs !== undefined && options.attemptTimeoutMs > 0;
  let reason: AbortReason | undefined;
  let signal: AbortSignal | undefined = options.signal;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let attemptTimer: NodeJS.Timeout | undefined;
  let onCallerAbort: (() => void) | undefined;
  if (hasDeadline || hasAttemptTimeout) {
    const controller = new AbortController();
    signal = controller.signal;
    const abort = (why: AbortReason) => {
      if (reason === undefined) {
        reason = why;
        controller.abort();
      }
    };
    onCallerAbort = () => abort('caller');
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (hasDeadline) {
      const remaining = options.deadlineAt! - Date.now();
      if (remaining <= 0) {
        options.signal?.removeEventListener('abort', onCallerAbort);
        throw new ConduitError('timeout', `${provider} (${model}): request deadline exceeded before the call`, { provider, model, retryable: false });
      }
      deadlineTimer = setTimeout(() => abort('deadline'), remaining);
    }
    if (hasAttemptTimeout) attemptTimer = setTimeout(() => abort('attempt-timeout'), options.attemptTimeoutMs);
  }
  const cleanup = () => {
    if (deadlineTimer) clearTimeout(deadlineTimer);
    if (attemptTimer) clearTimeout(attemptTimer);
    if (onCallerAbort) options.signal?.removeEventListener('abort', onCallerAbort);
  };
  // Without our own controller, an abort can only have come from the caller.
  const abortReason = (): AbortReason | undefined => reason ?? (options.signal?.aborted ? 'caller' : undefined);

  const headers: Record<string, string> = { ...args.headers, ...options.headers };
  let payload: string | undefined;
  if (args.body !== undefined) {
    payload = JSON.stringify(args.body);
    headers['content-type'] ??= 'application/json';
  }

  let res: Dispatcher.ResponseData;
  try {
    res = await request(args.url, {
      method: args.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers,
      body: payload,
      signal,
      dispatcher: args.dispatcher ?? sharedAgent,
      bodyTimeout: idleTimeoutMs,
    });
  } catch (err) {
    cleanup();
    throw mapNetworkError(err, abortReason(), provider, model, options);
  }

  const resHeaders = res.headers as ResponseHeaders;
  if (res.statusCode < 200 || res.statusCode >= 300) {
    let bodyText = '';
    try {
      bodyText = await res.body.text();
    } catch {
      // The error status is what matters; a body we could not read only loses detail.
    }
    cleanup();
    const map = args.mapError ?? ((status, h, text) => httpStatusError({ provider, model, status, headers: h, message: text.slice(0, 500) || `HTTP ${status}` }));
    throw map(res.statusCode, resHeaders, bodyText);
  }

  if (args.stream && attemptTimer) {
    // Headers arrived: from here the idle timeout guards the stream, not the attempt timeout.
    clearTimeout(attemptTimer);
    attemptTimer = undefined;
  }

  const body = res.body;
  async function* iterate(): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of body) yield chunk as Uint8Array;
    } catch (err) {
      throw mapNetworkError(err, abortReason(), provider, model, options);
    } finally {
      cleanup();
      if (!body.destroyed) body.destroy();
    }
  }

  const readAll = async (): Promise<string> => {
    try {
      return await body.text();
    } catch (err) {
      throw mapNetworkError(err, abortReason(), provider, model, options);
    } finally {
      cleanup();
    }
  };

  return {
    status: res.statusCode,
    headers: resHeaders,
    body: iterate(),
    text: readAll,
    async json() {
      const text = await readAll();
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new ConduitError('provider_error', `${provider} (${model}): response is not valid JSON`, { cause: err, provider, model, upstreamStatus: res.statusCode });
      }
    },
  };
}

export function cancelled(provider: string, model: string, cause: unknown): ConduitError {
  return new ConduitError('cancelled', `${provider} (${model}): the request was cancelled`, { cause, provider, model });
}

export function mapNetworkError(err: unknown, reason: AbortReason | undefined, provider: string, model: string, options: CallOptions): ConduitError {
  if (err instanceof ConduitError) return err;
  if (reason === 'caller') return cancelled(provider, model, options.signal?.reason ?? err);
  if (reason === 'deadline') {
    return new ConduitError('timeout', `${provider} (${model}): request deadline exceeded`, { cause: err, provider, model, retryable: false });
  }
  if (reason === 'attempt-timeout') {
    return new ConduitError('timeout', `${provider} (${model}): attempt timed out after ${options.attemptTimeoutMs} ms`, { cause: err, provider, model });
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new ConduitError('timeout', `${provider} (${model}): stream stalled (no data within the idle timeout)`, { cause: err, provider, model });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return new ConduitError('timeout', `${provider} (${model}): ${err.message}`, { cause: err, provider, model });
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
  return new ConduitError('provider_unavailable', `${provider} (${model}): connection failed${code ? ` (${code})` : ''}: ${message}`, {
    cause: err,
    provider,
    model,
    ...(code !== undefined ? { code } : {}),
  });
}
