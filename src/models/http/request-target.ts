/**
 * What the dispatcher-based provider calls (provider-fetch-json.ts, provider-fetch-stream.ts) send
 * undici: the origin and path of a URL, parsed once per URL rather than per request, and the
 * flattened header list, built once per provider header object when the call adds none of its own.
 */

export interface RequestTarget {
  origin: string;
  path: string;
}

/** Parsed request URLs: a provider calls one or two URLs, so parse each once, not per request. */
const targets = new Map<string, RequestTarget>();
const MAX_CACHED_TARGETS = 256;

export function requestTargetOf(url: string): RequestTarget {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    t = { origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname };
    if (targets.size >= MAX_CACHED_TARGETS) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/** Flattened request headers per provider header object (the usual call adds no headers of its own). */
const headerLists = new WeakMap<Record<string, string>, string[]>();

export function requestHeaderList(base: Record<string, string>, extra: Record<string, string> | undefined, hasBody: boolean): string[] {
  if (extra === undefined && hasBody) {
    const cached = headerLists.get(base);
    if (cached !== undefined) return cached;
    const list = flatten(base, undefined, true);
    headerLists.set(base, list);
    return list;
  }
  return flatten(base, extra, hasBody);
}

function flatten(base: Record<string, string>, extra: Record<string, string> | undefined, hasBody: boolean): string[] {
  const merged: Record<string, string> = { ...base, ...extra };
  if (hasBody) merged['content-type'] ??= 'application/json';
  const list: string[] = [];
  for (const key in merged) list.push(key, merged[key]!);
  return list;
}
