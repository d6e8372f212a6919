/** Maps an upstream HTTP status to a ConduitError when the provider has no more specific mapping. */
import { ConduitError, type ErrorKind } from '../../core/errors.js';
import { retryAfterFromHeaders } from './retry-after.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

export function errorKindForStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request';
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 413:
      return 'payload_too_large';
    case 429:
      return 'rate_limited';
    case 503:
    case 529:
      return 'provider_unavailable';
    default:
      return status >= 500 ? 'provider_error' : 'invalid_request';
  }
}

export function httpStatusError(args: {
  provider: string;
  model: string;
  status: number;
  headers: ResponseHeaders;
  message: string;
  kind?: ErrorKind;
  code?: string;
  param?: string;
}): ConduitError {
  const kind = args.kind ?? errorKindForStatus(args.status);
  return new ConduitError(kind, `${args.provider} (${args.model}): ${args.message}`, {
    provider: args.provider,
    model: args.model,
    upstreamStatus: args.status,
    retryAfterMs: retryAfterFromHeaders(args.headers),
    ...(args.code !== undefined ? { code: args.code } : {}),
    ...(args.param !== undefined ? { param: args.param } : {}),
  });
}
