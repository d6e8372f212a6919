/**
 * Which config values are secrets. One definition shared by redaction (`conduit config show`) and
 * error messages, so neither can print an API key.
 */
import type { ConfigPath } from './yaml-source.js';

const SECRET_KEY = /(api_?key|secret|token|password|passwd|authorization|credential|master_key|encryption_key|database_url|redis_url)/i;

/** True for a value under a secret-looking key, or any value of a `headers` map (auth headers live there). */
export function isSecretPath(path: ConfigPath): boolean {
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment !== 'string') continue;
    if (SECRET_KEY.test(segment)) return true;
    if (segment === 'headers' && i < path.length - 1) return true;
  }
  return false;
}

/** Environment variables whose values are secrets (scrubbed from any message we print). */
export const SECRET_ENV_VARS = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'CONDUIT_MASTER_KEY', 'CONDUIT_AUDIT_KEY', 'DATABASE_URL', 'REDIS_URL'] as const;

export const REDACTED = '[redacted]';

/** Replaces every occurrence of each secret (at least 4 characters, to avoid mangling prose) in `text`. */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Collects the string values at secret paths of a plain-data tree. */
export function collectSecretValues(value: unknown, path: (string | number)[] = [], out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    if (isSecretPath(path)) out.add(value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectSecretValues(item, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectSecretValues(v, [...path, k], out);
  }
  return out;
}
