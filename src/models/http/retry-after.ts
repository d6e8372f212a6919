/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds from `now`.
 * Also accepts OpenAI's `retry-after-ms`. Returns undefined for absent or unparseable values.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const trimmed = v.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only an HTTP-date (which always names a weekday or month) counts; Date.parse accepts "-3".
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Reads the wait a provider asked for from response headers: `retry-after-ms` wins over `retry-after`. */
export function retryAfterFromHeaders(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const ms = headers['retry-after-ms'];
  const msValue = Array.isArray(ms) ? ms[0] : ms;
  if (msValue !== undefined && /^\d+(\.\d+)?$/.test(msValue.trim())) return Math.round(Number(msValue));
  return parseRetryAfter(headers['retry-after'], now);
}
