/**
 * Error responses: every failure becomes a ConduitError, whose `kind`/`status` decide the HTTP
 * status and the body — OpenAI-shaped `{error:{message,type,param,code}}` on OpenAI routes,
 * Anthropic-shaped `{type:'error', error:{type,message}}` on `/v1/messages`.
 */
import { ConduitError, toConduitError } from '../core/errors.js';
import type { ErrorKind } from '../core/errors.js';

const OPENAI_TYPE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  context_length: 'invalid_request_error',
  policy_refusal: 'invalid_request_error',
  provider_error: 'upstream_error',
  provider_unavailable: 'service_unavailable_error',
  timeout: 'timeout_error',
  stream_interrupted: 'upstream_error',
  cancelled: 'cancelled',
  internal: 'server_error',
};

/** Default `code` when the error carries none (OpenAI's own codes where one exists). */
const OPENAI_CODE_BY_KIND: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request',
  authentication: 'invalid_api_key',
  permission: 'permission_denied',
  not_found: 'not_found',
  payload_too_large: 'request_too_large',
  rate_limited: 'rate_limit_exceeded',
  context_length: 'context_length_exceeded',
  policy_refusal: 'content_policy_violation',
  provider_error: 'upstream_error',
  provider_unavailable: 'upstream_unavailable',
  timeout: 'timeout',
  stream_interrupted: 'stream_interrupted',
  cancelled: 'cancelled',
  internal: 'internal_error',
};

/** The HTTP status for an error; statuses outside 400–599 (a provider's odd one) fall back to the kind's. */
export function httpStatusOf(err: ConduitError): number {
  const s = err.status;
  return s >= 400 && s <= 599 ? s : err.kind === 'cancelled' ? 499 : 500;
}

/** Seconds for a `Retry-After` header, or undefined when none should be sent. */
export function retryAfterSeconds(err: ConduitError): number | undefined {
  if (err.retryAfterMs !== undefined && err.retryAfterMs >= 0) return Math.max(1, Math.ceil(err.retryAfterMs / 1000));
  return err.kind === 'rate_limited' ? 1 : undefined;
}

/** Internal errors keep their detail in the logs, not in the response. */
function publicMessage(err: ConduitError): string {
  return err.kind === 'internal' ? 'Internal error in the gateway' : err.message;
}

export function openAIErrorObject(err: ConduitError): { message: string; type: string; param: string | null; code: string } {
  return {
    message: publicMessage(err),
    type: OPENAI_TYPE_BY_KIND[err.kind],
    param: err.param ?? null,
    code: err.code ?? OPENAI_CODE_BY_KIND[err.kind],
  };
}

export function openAIErrorBody(err: ConduitError): string {
  return JSON.stringify({ error: openAIErrorObject(err) });
}

function anthropicErrorType(err: ConduitError): string {
  switch (httpStatusOf(err)) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return err.kind === 'invalid_request' ? 'invalid_request_error' : 'api_error';
  }
}

export function anthropicErrorObject(err: ConduitError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: anthropicErrorType(err), message: publicMessage(err) } };
}

export function anthropicErrorBody(err: ConduitError): string {
  return JSON.stringify(anthropicErrorObject(err));
}

/** Shorthand for request-validation failures. */
export function invalidRequest(message: string, param?: string, code?: string): ConduitError {
  return new ConduitError('invalid_request', message, { param, code });
}

export { toConduitError };
