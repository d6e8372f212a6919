/**
 * Maps Anthropic errors — HTTP error bodies and in-band stream `error` events, both shaped
 * `{type:"error", error:{type, message}}` — to typed ConduitErrors. The error `type` is more
 * precise than the status (529 vs 503, prompt-too-long vs other 400s), so it wins; the status is
 * the fallback for bodies that are not Anthropic's (a proxy's HTML page, an empty body).
 */
import { ConduitError, type ErrorKind } from '../../../core/errors.js';
import { errorKindForStatus, retryAfterFromHeaders, type ResponseHeaders } from '../../http/index.js';
import { ANTHROPIC_PROVIDER } from './request-mapping.js';

const KIND_BY_ERROR_TYPE: Readonly<Record<string, ErrorKind>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission',
  billing_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'payload_too_large',
  rate_limit_error: 'rate_limited',
  api_error: 'provider_error',
  timeout_error: 'timeout',
  overloaded_error: 'provider_unavailable',
};

/**
 * "prompt is too long: 208310 tokens > 200000 maximum" and "input length and `max_tokens` exceed
 * context limit: …" are the API's context-window messages; both are invalid_request_error.
 */
const CONTEXT_LENGTH_MESSAGE = /prompt is too long|exceeds? (the )?context (limit|window)|context (window|length) exceeded|too many (input )?tokens/i;

export interface AnthropicErrorInfo {
  type: string | undefined;
  message: string | undefined;
}

/** Reads `{type:"error", error:{type, message}}` from a parsed or raw body; tolerant of anything else. */
export function parseAnthropicErrorBody(body: unknown): AnthropicErrorInfo {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { type: undefined, message: undefined };
    }
  }
  if (typeof value !== 'object' || value === null) return { type: undefined, message: undefined };
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return { type: undefined, message: undefined };
  const { type, message } = error as { type?: unknown; message?: unknown };
  return { type: typeof type === 'string' ? type : undefined, message: typeof message === 'string' ? message : undefined };
}

export function anthropicErrorKind(errorType: string | undefined, status: number | undefined, message: string | undefined): ErrorKind {
  let kind: ErrorKind | undefined = errorType !== undefined ? KIND_BY_ERROR_TYPE[errorType] : undefined;
  const byStatus = status !== undefined ? errorKindForStatus(status) : undefined;
  // `api_error` is Anthropic's catch-all; a proxy's 503/504 around it says more than the type.
  if (kind === 'provider_error' && byStatus !== undefined && byStatus !== 'invalid_request') kind = byStatus;
  kind ??= byStatus ?? 'provider_error';
  if (kind === 'invalid_request' && message !== undefined && CONTEXT_LENGTH_MESSAGE.test(message)) return 'context_length';
  return kind;
}

/** For providerFetch's `mapError`: an HTTP error response → ConduitError. */
export function mapAnthropicHttpError(status: number, headers: ResponseHeaders, bodyText: string, modelId: string): ConduitError {
  const info = parseAnthropicErrorBody(bodyText);
  const kind = anthropicErrorKind(info.type, status, info.message);
  const message = info.message ?? (bodyText.trim().slice(0, 500) || `HTTP ${status}`);
  return new ConduitError(kind, `${ANTHROPIC_PROVIDER} (${modelId}): ${message}`, {
    provider: ANTHROPIC_PROVIDER,
    model: modelId,
    upstreamStatus: status,
    retryAfterMs: retryAfterFromHeaders(headers),
    ...(info.type !== undefined ? { code: info.type } : {}),
  });
}

/** For an in-band `event: error` in a stream (the HTTP status was already 200). */
export function mapAnthropicStreamError(data: unknown, modelId: string): ConduitError {
  const info = parseAnthropicErrorBody(data);
  const kind = anthropicErrorKind(info.type, undefined, info.message);
  return new ConduitError(kind, `${ANTHROPIC_PROVIDER} (${modelId}): ${info.message ?? 'error event in stream'}`, {
    provider: ANTHROPIC_PROVIDER,
    model: modelId,
    ...(info.type !== undefined ? { code: info.type } : {}),
  });
}
