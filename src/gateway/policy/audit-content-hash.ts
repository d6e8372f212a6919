/**
 * The audit log's content hash of one model call, computed by the accounting layer itself when the
 * log keeps hashes only (`audit.content: hash`), so the log does not have to copy the prompt
 * through a JSON round trip and a generic canonical walk for every request.
 *
 * The value must be exactly what the log computes from `content` (src/audit: `prepare` then
 * `computeContentHash`): sha256 of `canonicalJson(JSON.parse(JSON.stringify({ prompt, response })))`
 * — an auditor re-hashing a prompt must get the stored hash. The writer below produces those bytes
 * directly for plain JSON data (strings, finite numbers, booleans, null, arrays, plain objects;
 * `undefined` members dropped, `undefined` array slots as null — both what the round trip does).
 * Anything else (Dates, class instances, toJSON, non-finite numbers, functions or symbols in
 * arrays, bigints, a `__proto__` key) makes it give up, and the log's own generic path is used.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../../audit/index.js';

/** Thrown inside the writer to fall back to the generic path. */
const NOT_PLAIN: unique symbol = Symbol('not plain JSON');

/** sha256 hex of the canonical content, or undefined when the content is not plain JSON data. */
export function auditContentHash(prompt: unknown, response: string): string | undefined {
  let prefix: string;
  try {
    prefix = write(prompt);
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
  // Keys sorted: prompt, response.
  return hash('sha256', '{"prompt":' + prefix + ',"response":' + JSON.stringify(response) + '}', 'hex');
}

/** The hash the log itself would compute (for tests and for the fallback's documentation). */
export function referenceContentHash(prompt: unknown, response: string): string {
  const roundTripped = JSON.parse(JSON.stringify({ prompt, response })) as unknown;
  return hash('sha256', canonicalJson(roundTripped), 'hex');
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          out += v === undefined ? 'null' : write(v);
        }
        return out + ']';
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') throw NOT_PLAIN;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        if (key === '__proto__') throw NOT_PLAIN;
        const v = record[key];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(key) + ':' + write(v);
        first = false;
      }
      return out + '}';
    }
    default:
      // undefined at the top level, functions, symbols, bigints: leave them to the generic path.
      throw NOT_PLAIN;
  }
}
