import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePartialJson } from '../../src/structured/partial-json.js';

describe('parsePartialJson', () => {
  test('closes open strings, arrays and objects', () => {
    assert.deepEqual(parsePartialJson('{"name": "Ad'), { name: 'Ad' });
    assert.deepEqual(parsePartialJson('{"tags": ["a", "b'), { tags: ['a', 'b'] });
    assert.deepEqual(parsePartialJson('{"a": {"b": [1, {"c": tr'), { a: { b: [1, {}] } });
    assert.deepEqual(parsePartialJson('[{"x": 1}, {"y"'), [{ x: 1 }, {}]);
  });

  test('leaves out what cannot be known yet', () => {
    assert.deepEqual(parsePartialJson('{"name": "Ada", "age": '), { name: 'Ada' });
    assert.deepEqual(parsePartialJson('{"name": "Ada", "ag'), { name: 'Ada' });
    assert.deepEqual(parsePartialJson('{"n": -'), {});
    assert.deepEqual(parsePartialJson('{"n": 1.'), {});
    assert.deepEqual(parsePartialJson('{"n": 12'), { n: 12 });
    assert.deepEqual(parsePartialJson('{"ok": fal'), {});
    assert.deepEqual(parsePartialJson('{"ok": false'), { ok: false });
    assert.deepEqual(parsePartialJson('{"s": "a\\'), { s: 'a' });
    assert.deepEqual(parsePartialJson('{"s": "\\u00e'), { s: '' });
    assert.deepEqual(parsePartialJson('{"s": "\\u00e9\\n'), { s: 'é\n' });
  });

  test('skips prose and fences before the JSON; nothing usable gives undefined', () => {
    assert.deepEqual(parsePartialJson('```json\n{"a": 1, "b": "x'), { a: 1, b: 'x' });
    assert.equal(parsePartialJson('Thinking about it'), undefined);
    assert.equal(parsePartialJson('{"a": nope}'), undefined);
  });

  test('every prefix of a document parses to something the document extends', () => {
    const doc = JSON.stringify({ title: 'Q3 "report"', items: [{ id: 1, price: 9.5, ok: true }, { id: 2, price: -3e2, ok: null }], note: 'end' });
    const full = JSON.parse(doc) as unknown;
    let previous = '';
    for (let i = 1; i <= doc.length; i++) {
      const partial = parsePartialJson(doc.slice(0, i));
      if (partial === undefined) continue;
      assert.ok(extends_(full, partial), `prefix ${i} gave ${JSON.stringify(partial)}`);
      previous = JSON.stringify(partial);
    }
    assert.equal(previous, JSON.stringify(full));
  });
});

/** True when `partial` could grow into `full`: same keys/positions, strings and numbers as prefixes. */
function extends_(full: unknown, partial: unknown): boolean {
  if (typeof partial === 'string') return typeof full === 'string' && full.startsWith(partial);
  if (typeof partial === 'number') return typeof full === 'number' && String(full).startsWith(String(partial));
  if (Array.isArray(partial)) return Array.isArray(full) && partial.length <= full.length && partial.every((p, i) => extends_(full[i], p));
  if (partial !== null && typeof partial === 'object') {
    if (full === null || typeof full !== 'object') return false;
    const f = full as Record<string, unknown>;
    return Object.entries(partial).every(([k, v]) => k in f && extends_(f[k], v));
  }
  return partial === full;
}
