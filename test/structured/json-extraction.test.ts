import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractJson, firstBalancedJson, removeTrailingCommas } from '../../src/structured/json-extraction.js';

function value(text: string): unknown {
  const r = extractJson(text);
  assert.ok(r.ok, `expected to parse: ${r.ok ? '' : r.error}`);
  return r.value;
}

describe('extractJson', () => {
  test('plain JSON', () => {
    assert.deepEqual(value(' {"a":1} '), { a: 1 });
    assert.deepEqual(value('[1,2]'), [1, 2]);
  });

  test('code fences, with and without a language tag', () => {
    assert.deepEqual(value('```json\n{"a": "x"}\n```'), { a: 'x' });
    assert.deepEqual(value('Sure:\n```\n[{"b": true}]\n```\nAnything else?'), [{ b: true }]);
  });

  test('prose around the JSON, with brackets inside strings', () => {
    assert.deepEqual(value('Here is the result: {"text": "a } tricky { \\"one\\"", "n": [1, {"m": 2}]} Let me know!'), { text: 'a } tricky { "one"', n: [1, { m: 2 }] });
  });

  test('trailing commas are tolerated, but not inside strings', () => {
    assert.deepEqual(value('{"a": [1, 2,], "b": "x,}",}'), { a: [1, 2], b: 'x,}' });
    assert.equal(removeTrailingCommas('{"s": ",]"}'), '{"s": ",]"}');
  });

  test('reports no JSON and invalid JSON distinctly', () => {
    const none = extractJson('I cannot help with that.');
    assert.equal(none.ok, false);
    assert.match(none.ok ? '' : none.error, /No JSON object or array/);
    const bad = extractJson("{'a': 1}");
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error, /Invalid JSON/);
    const empty = extractJson('   ');
    assert.match(empty.ok ? '' : empty.error, /empty/);
  });

  test('a truncated object is reported, not silently closed', () => {
    const r = extractJson('{"a": 1, "b": [1, 2');
    assert.equal(r.ok, false);
    assert.equal(firstBalancedJson('xx {"a": [1, 2'), '{"a": [1, 2');
  });
});
