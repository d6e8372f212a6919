/**
 * Typed, cause-chained errors. A caller can always tell a client error from a provider error from
 * a policy refusal (`kind`), whether a retry may help (`retryable`), and walk `cause` to the root.
 * The gateway maps `kind` to an HTTP status and an OpenAI-shaped error body.
 */

export type ErrorKind =
  | 'invalid_request' // 400: malformed or invalid input
  | 'authentication' // 401
  | 'permission' // 403
  | 'not_found' // 404: unknown model, route or resource
  | 'payload_too_large' // 413
  | 'rate_limited' // 429
  | 'context_length' // 400: prompt does not fit the model's context window
  | 'policy_refusal' // 400/403: a guardrail, budget or provider content policy refused the request
  | 'provider_error' // 502: upstream answered with something unusable
  | 'provider_unavailable' // 503: upstream unreachable, overloaded or circuit open
  | 'timeout' // 504: attempt timeout or request deadline exceeded
  | 'stream_interrupted' // a stream died after content was already delivered
  | 'cancelled' // the caller aborted
  | 'internal'; // 500: a bug in Conduit

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  context_length: 400,
  policy_refusal: 400,
  provider_error: 502,
  provider_unavailable: 503,
  timeout: 504,
  stream_interrupted: 502,
  cancelled: 499,
  internal: 500,
};

const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'rate_limited',
  'provider_error',
  'provider_unavailable',
  'timeout',
]);

export interface ConduitErrorOptions {
  cause?: unknown;
  /** HTTP status to report; defaults to the kind's status. */
  status?: number;
  /** Overrides the kind's default retryability. */
  retryable?: boolean;
  /** Milliseconds the upstream asked us to wait (from `Retry-After` or similar). */
  retryAfterMs?: number;
  provider?: string;
  model?: string;
  /** Upstream HTTP status, when the error came from one. */
  upstreamStatus?: number;
  /** A machine-readable code (OpenAI's `error.code`), e.g. `model_not_found`. */
  code?: string;
  /** The request parameter at fault, for invalid_request errors. */
  param?: string;
}

export class ConduitError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly upstreamStatus: number | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;

  constructor(kind: ErrorKind, message: string, options: ConduitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = ERROR_NAMES[kind];
    this.kind = kind;
    this.status = options.status ?? STATUS_BY_KIND[kind];
    this.retryable = options.retryable ?? RETRYABLE_KINDS.has(kind);
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.model = options.model;
    this.upstreamStatus = options.upstreamStatus;
    this.code = options.code;
    this.param = options.param;
  }
}

const ERROR_NAMES: Record<ErrorKind, string> = {
  invalid_request: 'InvalidRequestError',
  authentication: 'AuthenticationError',
  permission: 'PermissionDeniedError',
  not_found: 'NotFoundError',
  payload_too_large: 'PayloadTooLargeError',
  rate_limited: 'RateLimitedError',
  context_length: 'ContextLengthError',
  policy_refusal: 'PolicyRefusalError',
  provider_error: 'ProviderError',
  provider_unavailable: 'ProviderUnavailableError',
  timeout: 'TimeoutError',
  stream_interrupted: 'StreamInterruptedError',
  cancelled: 'CancelledError',
  internal: 'InternalError',
};

export function isConduitError(err: unknown): err is ConduitError {
  return err instanceof ConduitError;
}

/** Wraps anything thrown into a ConduitError, keeping the original as `cause`. */
export function toConduitError(err: unknown, fallbackKind: ErrorKind = 'internal'): ConduitError {
  if (err instanceof ConduitError) return err;
  if (err instanceof Error && err.name === 'AbortError') {
    return new ConduitError('cancelled', 'The request was cancelled', { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConduitError(fallbackKind, message, { cause: err });
}

/** Every error in the cause chain, outermost first. */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && chain.length < 32) {
    chain.push(cur);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return chain;
}
