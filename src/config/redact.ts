/**
 * A copy of the config that is safe to print: secret values (API keys, header values, passwords in
 * URLs) replaced by a marker that still shows the setting is present.
 */
import type { ConduitConfig } from './schema.js';
import { isSecretPath, REDACTED } from './secrets.js';

export function redactConfig(config: ConduitConfig): ConduitConfig {
  return redactValue(config, []) as ConduitConfig;
}

/** Redacts any plain-data tree by the same rules (used for partial configs and error context). */
export function redactValue(value: unknown, path: (string | number)[]): unknown {
  if (typeof value === 'string') {
    if (isSecretPath(path)) return REDACTED;
    return redactUrlCredentials(value);
  }
  if (Array.isArray(value)) return value.map((item, i) => redactValue(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, [...path, k]);
    return out;
  }
  return value;
}

/** `https://user:pass@host/` → `https://user:[redacted]@host/`; other strings unchanged. */
function redactUrlCredentials(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password === '' && url.username === '') return value;
    return value.replace(/(^[a-z][a-z0-9+.-]*:\/\/)([^/\s]*)@/i, (_m, scheme: string, userinfo: string) => {
      const user = userinfo.includes(':') ? userinfo.slice(0, userinfo.indexOf(':')) : userinfo;
      return url.password === '' ? `${scheme}${REDACTED}@` : `${scheme}${user}:${REDACTED}@`;
    });
  } catch {
    return value;
  }
}
