import { sortKeys } from '../core/sort-keys.js';

/**
 * Deterministic JSON: object keys sorted, `undefined` members dropped, so two requests that differ
 * only in key order (or in an explicit `undefined`) serialise — and therefore hash — identically.
 *
 * Written straight to a string (no sorted copy of the value first): this runs for every cached
 * request. The output is byte for byte what `JSON.stringify` of a key-sorted copy gave before (the
 * cache keys already stored must keep matching), including its quirks: values with `toJSON` are
 * walked as plain objects (own enumerable keys), functions and symbols vanish from objects and
 * become null in arrays, and integer-like keys come first in ascending numeric order (that is how
 * JavaScript orders them in the copied object), the other keys after them, sorted.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const MAX_INDEX = 4294967294;

function isIndexKey(key: string): boolean {
  return INDEX_KEY.test(key) && Number(key) <= MAX_INDEX;
}

/**
 * The canonical form of one member value, or undefined where an object member would be left out
 * (undefined, functions, symbols). For writers that build a canonical document piece by piece.
 */
export function canonicalMember(value: unknown): string | undefined {
  return write(value);
}

/**
 * The canonical form of `record` without its member `omit`: exactly `canonicalJson` of
 * `{ ...record }` minus that key (a rest-spread copy keeps own enumerable keys), without the copy.
 */
export function canonicalObjectWithout(record: Record<string, unknown>, omit: string): string {
  return writeObject(record, omit);
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(value[i]) ?? 'null';
        }
        return out + ']';
      }
      return writeObject(value as Record<string, unknown>, undefined);
    }
    case 'bigint':
      return JSON.stringify(value); // throws, as before
    default:
      return undefined;
  }
}

function writeObject(record: Record<string, unknown>, omit: string | undefined): string {
  const keys = Object.keys(record);
  // Integer-like keys are listed first, ascending; only the rest need sorting.
  let indexKeys = 0;
  while (indexKeys < keys.length && isIndexKey(keys[indexKeys]!)) indexKeys++;
  const ordered = indexKeys === 0 ? sortKeys(keys) : [...keys.slice(0, indexKeys), ...sortKeys(keys.slice(indexKeys))];
  let out = '{';
  let first = true;
  for (const key of ordered) {
    if (key === omit) continue;
    const v = record[key];
    if (v === undefined) continue;
    const encoded = write(v);
    if (encoded === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + encoded;
    first = false;
  }
  return out + '}';
}
