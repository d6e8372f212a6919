/**
 * `${NAME}` and `${NAME:-default}` in config string values, resolved from the environment.
 * `${NAME:-default}` uses the default when NAME is unset or empty (shell semantics); `$${` is a
 * literal `${`. A `${NAME}` whose variable is unset is an error naming the variable, never an empty
 * string that would surface later as a confusing authentication failure.
 */
import type { RawIssue } from './issues.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationResult {
  value: unknown;
  issues: RawIssue[];
}

/** Returns a copy of `value` with every string interpolated; keys are left as written. */
export function interpolateTree(value: unknown, env: Env, path: (string | number)[] = []): InterpolationResult {
  const issues: RawIssue[] = [];
  const walk = (v: unknown, p: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      const r = interpolateString(v, env);
      if ('error' in r) {
        issues.push({ path: p, message: r.error });
        return v;
      }
      return r.value;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...p, i]));
    if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) out[k] = walk(child, [...p, k]);
      return out;
    }
    return v;
  };
  return { value: walk(value, path), issues };
}

export function interpolateString(input: string, env: Env): { value: string } | { error: string } {
  if (!input.includes('$')) return { value: input };
  let out = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!input.startsWith('${', i)) {
      out += input[i];
      i++;
      continue;
    }
    const close = input.indexOf('}', i + 2);
    if (close === -1) return { error: 'unterminated "${": expected "${NAME}" or "${NAME:-default}" (write "$${" for a literal "${")' };
    const body = input.slice(i + 2, close);
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      return { error: `invalid variable reference "\${${name}}": expected a name of letters, digits and "_"` };
    }
    const fromEnv = env[name];
    if (sep === -1) {
      if (fromEnv === undefined) return { error: `environment variable ${name} is not set (use "\${${name}:-default}" to give a default)` };
      out += fromEnv;
    } else {
      out += fromEnv === undefined || fromEnv === '' ? body.slice(sep + 2) : fromEnv;
    }
    i = close + 1;
  }
  return { value: out };
}
