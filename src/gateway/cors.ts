/**
 * CORS for browser clients (`server.cors.origins`). Off unless origins are configured: an API that
 * takes bearer keys has no reason to be callable from arbitrary web pages.
 */
export interface CorsPolicy {
  /** Adds the CORS response headers when `origin` is allowed. */
  appendHeaders(origin: string | undefined, headers: string[]): void;
  /** Headers of a preflight (`OPTIONS`) answer, or undefined when the origin is not allowed. */
  preflight(origin: string | undefined): string[] | undefined;
}

const ALLOWED_HEADERS = 'authorization, content-type, x-api-key, x-request-id, x-conduit-deadline-ms, cache-control, anthropic-version, anthropic-beta, openai-organization, openai-project';
const EXPOSED_HEADERS =
  'x-request-id, x-conduit-provider, x-conduit-cost-usd, x-conduit-overhead-ms, x-conduit-cache, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens';

export function createCorsPolicy(origins: readonly string[]): CorsPolicy | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allow = (origin: string | undefined): origin is string => origin !== undefined && (any || allowed.has(origin));
  return {
    appendHeaders(origin, headers) {
      if (!allow(origin)) return;
      headers.push('access-control-allow-origin', any ? '*' : origin, 'access-control-expose-headers', EXPOSED_HEADERS);
      if (!any) headers.push('vary', 'origin');
    },
    preflight(origin) {
      if (!allow(origin)) return undefined;
      return [
        'access-control-allow-origin',
        any ? '*' : origin,
        'access-control-allow-methods',
        'GET, POST, PATCH, DELETE, OPTIONS',
        'access-control-allow-headers',
        ALLOWED_HEADERS,
        'access-control-max-age',
        '600',
        ...(any ? [] : ['vary', 'origin']),
      ];
    },
  };
}
