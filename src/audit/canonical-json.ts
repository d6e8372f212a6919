import { sortKeys } from '../core/sort-keys.js';

/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. The audit chain
 * hashes this form, so the hash of an entry does not depend on key order or on how a database
 * (jsonb normalises key order) hands the JSON back.
 *
 * Written with plain string concatenation (no map/filter/join arrays): it runs twice per audit
 * entry on the gateway's request path (entry hash and content hash).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // NaN and Infinity have no JSON form; refusing them keeps the hash well defined.
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          // A hole stays empty, as Array#map + join always wrote it; an undefined element is null.
          if (v === undefined) out += i in value ? 'null' : '';
          else out += canonicalJson(v);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = sortKeys(Object.keys(record));
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = record[k];
        if (v === undefined) continue;
        out += first ? JSON.stringify(k) : `,${JSON.stringify(k)}`;
        out += `:${canonicalJson(v)}`;
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

/**
 * `canonicalJson(JSON.parse(JSON.stringify(value)))` without building the intermediate string and
 * object tree: the canonical form of the JSON value that `JSON.stringify` would write (toJSON
 * called, boxed primitives unwrapped, non-finite numbers as null, functions and symbols dropped
 * from objects and null in arrays, BigInt and cycles refused). Used to hash content that is only
 * hashed, never stored.
 */
export function canonicalJsonOfJsonValue(value: unknown): string {
  const out = encodeJsonValue(value, '', []);
  // JSON.stringify gives undefined here, which JSON.parse then refuses.
  if (out === undefined) throw new SyntaxError(`canonicalJsonOfJsonValue: ${typeof value} has no JSON form`);
  return out;
}

function encodeJsonValue(input: unknown, key: string, ancestors: object[]): string | undefined {
  let value = input;
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (k: string) => unknown).call(value, key);
  }
  if (typeof value === 'object' && value !== null) {
    if (value instanceof Number) value = Number(value);
    else if (value instanceof String) value = String(value);
    else if (value instanceof Boolean) value = value.valueOf();
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (ancestors.includes(value)) throw new TypeError('Converting circular structure to JSON');
      ancestors.push(value);
      let out: string;
      if (Array.isArray(value)) {
        out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += encodeJsonValue(value[i], String(i), ancestors) ?? 'null';
        }
        out += ']';
      } else {
        const record = value as Record<string, unknown>;
        const keys = sortKeys(Object.keys(record));
        out = '{';
        let first = true;
        for (const k of keys) {
          const v = encodeJsonValue(record[k], k, ancestors);
          if (v === undefined) continue;
          out += first ? JSON.stringify(k) : `,${JSON.stringify(k)}`;
          out += `:${v}`;
          first = false;
        }
        out += '}';
      }
      ancestors.pop();
      return out;
    }
    default:
      // undefined, functions and symbols: dropped from objects, null in arrays (by the callers).
      return undefined;
  }
}
