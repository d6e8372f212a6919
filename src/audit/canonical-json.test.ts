import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, canonicalJsonOfJsonValue } from './canonical-json.js';
import { seededRandom } from '../eval/dataset/seeded-random.js';

test('canonicalJson sorts keys at every depth and drops undefined members', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 'x', y: null }], c: undefined } }), '{"a":{"d":[1,{"y":null,"z":"x"}]},"b":1}');
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
});

test('canonicalJson refuses values without a JSON form', () => {
  assert.throws(() => canonicalJson({ n: Number.NaN }), /non-finite/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /cannot encode/);
});

/** The implementation before it was rewritten for speed: the new one must write the same text. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : referenceCanonicalJson(v))).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceCanonicalJson(record[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

/** Seeded random values: nested objects and arrays of awkward strings, numbers, dates, undefined. */
function randomValue(next: () => number, depth: number): unknown {
  const strings = ['', 'a', 'é', '\u0000', '"q"', '\\', '\ud800', '😀', '__proto__', '10', '2', 'B', 'b'];
  const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return [0, -0, 1.5, -3, 1e21, 5e-324, 0.1 + 0.2, 123456789012][Math.floor(next() * 8)];
    case 3: return strings[Math.floor(next() * strings.length)];
    case 4: return undefined;
    case 5: return new Date(Math.floor(next() * 4e12));
    case 6: return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      const n = Math.floor(next() * 5);
      // defineProperty: a plain assignment to `__proto__` would set the prototype, not a key.
      for (let i = 0; i < n; i++) {
        const key = strings[Math.floor(next() * strings.length)]!;
        Object.defineProperty(out, key, { value: randomValue(next, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

test('canonicalJson writes exactly what the previous implementation wrote', () => {
  const next = seededRandom(7);
  for (let i = 0; i < 3000; i++) {
    const value = { v: randomValue(next, 0) };
    assert.equal(canonicalJson(value), referenceCanonicalJson(value));
  }
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3];
  assert.equal(canonicalJson(sparse), referenceCanonicalJson(sparse));
  assert.equal(canonicalJson([1, undefined, 3n]), referenceCanonicalJson([1, undefined, 3n]));
});

test('canonicalJsonOfJsonValue is the canonical form of the JSON.stringify round trip', () => {
  const next = seededRandom(11);
  for (let i = 0; i < 3000; i++) {
    const value = { v: randomValue(next, 0), w: [randomValue(next, 2)] };
    assert.equal(canonicalJsonOfJsonValue(value), canonicalJson(JSON.parse(JSON.stringify(value))));
  }
  class Money {
    constructor(readonly cents: number) {}
    toJSON(): string {
      return `${this.cents / 100} EUR`;
    }
  }
  const awkward = {
    nan: Number.NaN,
    inf: [Number.POSITIVE_INFINITY, () => 1, Symbol('s'), undefined],
    fn: () => 1,
    boxed: [new Number(2), new String('s'), new Boolean(false)],
    money: new Money(250),
    buffer: Buffer.from('hi'),
    map: new Map([[1, 2]]),
    // eslint-disable-next-line no-sparse-arrays
    holes: [1, , 3],
    nested: { toJSON: (key: string) => ({ key }) },
  };
  assert.equal(canonicalJsonOfJsonValue(awkward), canonicalJson(JSON.parse(JSON.stringify(awkward))));
});

test('canonicalJsonOfJsonValue refuses what JSON.stringify refuses', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  assert.throws(() => canonicalJsonOfJsonValue(cyclic), TypeError);
  assert.throws(() => canonicalJsonOfJsonValue({ n: 1n }), TypeError);
  assert.throws(() => canonicalJsonOfJsonValue(undefined), SyntaxError);
  // The same object twice, side by side, is not a cycle.
  const shared = { x: 1 };
  assert.equal(canonicalJsonOfJsonValue({ a: shared, b: [shared] }), '{"a":{"x":1},"b":[{"x":1}]}');
});
