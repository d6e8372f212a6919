/**
 * Maps an HTTP request's `Cache-Control` header to per-request cache options: `no-cache` → do not
 * answer from the cache (the fresh answer is still stored), `no-store` → do not store it. Other
 * directives (max-age, …) are ignored.
 */
import type { CacheCallOptions } from '../models/language-model.js';

export function cacheControlToCallOptions(header: string | readonly string[] | undefined): Pick<CacheCallOptions, 'bypass' | 'noStore'> {
  // Most requests carry no Cache-Control at all: nothing to parse.
  if (header === undefined || header === '') return {};
  const value = Array.isArray(header) ? header.join(',') : header;
  const directives = new Set(
    String(value)
      .split(',')
      .map((d) => d.trim().toLowerCase().split('=')[0]!)
      .filter((d) => d !== ''),
  );
  const out: Pick<CacheCallOptions, 'bypass' | 'noStore'> = {};
  if (directives.has('no-cache')) out.bypass = true;
  if (directives.has('no-store')) out.noStore = true;
  return out;
}
