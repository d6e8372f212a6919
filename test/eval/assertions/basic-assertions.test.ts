import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertionSpecSchema } from '../../../src/eval/assertions/create-assertion.js';
import { assertion, ctx, out } from './fixtures.js';

describe('text assertions', () => {
  test('contains passes when every value is present and fails naming what is missing', async () => {
    const a = assertion({ type: 'contains', value: ['refund', 'days'] });
    assert.equal((await a.evaluate(out('Your refund arrives in 5 days.'), ctx())).pass, true);
    const r = await a.evaluate(out('Your Refund is on its way.'), ctx());
    assert.equal(r.pass, false);
    assert.match(r.reason, /lacks "refund", "days"/);
    assert.equal(r.score, 0);
  });

  test('icontains ignores case; contains does not', async () => {
    assert.equal((await assertion({ type: 'icontains', value: 'REFUND' }).evaluate(out('your refund'), ctx())).pass, true);
    assert.equal((await assertion({ type: 'contains', value: 'REFUND' }).evaluate(out('your refund'), ctx())).pass, false);
  });

  test('not-contains fails when a forbidden value appears', async () => {
    const a = assertion({ type: 'not-contains', value: ['as an AI', 'sorry'] });
    assert.equal((await a.evaluate(out('Here is your answer.'), ctx())).pass, true);
    const r = await a.evaluate(out('I am sorry, as an AI I cannot'), ctx());
    assert.equal(r.pass, false);
    assert.match(r.reason, /contains "as an AI", "sorry"/);
    assert.equal((await assertion({ type: 'not-icontains', value: 'SORRY' }).evaluate(out('so sorry'), ctx())).pass, false);
  });

  test('regex matches with flags; g/y do not make repeated checks flaky', async () => {
    const a = assertion({ type: 'regex', value: '^order #\\d{4}$', flags: 'gim' });
    for (let i = 0; i < 3; i++) assert.equal((await a.evaluate(out('Thanks\nORDER #1234'), ctx())).pass, true);
    assert.equal((await a.evaluate(out('order #12'), ctx())).pass, false);
  });

  test('equals compares trimmed text, or JSON values regardless of formatting', async () => {
    assert.equal((await assertion({ type: 'equals', value: 'Paris' }).evaluate(out('  Paris\n'), ctx())).pass, true);
    assert.equal((await assertion({ type: 'equals', value: 'Paris' }).evaluate(out('Paris.'), ctx())).pass, false);
    assert.equal((await assertion({ type: 'equals', value: 'Paris', trim: false }).evaluate(out('Paris '), ctx())).pass, false);
    const json = assertion({ type: 'equals', value: { a: 1, b: [1, 2] } });
    assert.equal((await json.evaluate(out('{"b": [1,2], "a": 1}'), ctx())).pass, true);
    assert.equal((await json.evaluate(out('{"b": [2,1], "a": 1}'), ctx())).pass, false);
    assert.equal((await json.evaluate(out('not json'), ctx())).pass, false);
  });

  test('is-json: plain, strict vs lenient, and JSON Schema validation', async () => {
    assert.equal((await assertion({ type: 'is-json' }).evaluate(out('{"ok": true}'), ctx())).pass, true);
    assert.equal((await assertion({ type: 'is-json' }).evaluate(out('Sure! {"ok": true}'), ctx())).pass, false);
    assert.equal((await assertion({ type: 'is-json', lenient: true }).evaluate(out('Sure! ```json\n{"ok": true}\n```'), ctx())).pass, true);
    const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } }, required: ['name', 'age'] };
    const a = assertion({ type: 'is-json', schema });
    assert.equal((await a.evaluate(out('{"name": "Ada", "age": 36}'), ctx())).pass, true);
    const bad = await a.evaluate(out('{"name": "Ada", "age": -1}'), ctx());
    assert.equal(bad.pass, false);
    assert.match(bad.reason, /age/);
    assert.equal((await a.evaluate(out('{"name": "Ada"}'), ctx())).pass, false);
  });

  test('length bounds in characters and in tokens (the model tokenizer)', async () => {
    const chars = assertion({ type: 'length', min: 3, max: 10 });
    assert.equal((await chars.evaluate(out('hello'), ctx())).pass, true);
    assert.match((await chars.evaluate(out('hi'), ctx())).reason, /2 chars, below the minimum 3/);
    assert.match((await chars.evaluate(out('hello world!'), ctx())).reason, /12 chars, above the maximum 10/);
    const tokens = assertion({ type: 'length', max: 3, unit: 'tokens' });
    // o200k_base: "hello world" is 2 tokens; the long sentence is far more than 3.
    assert.equal((await tokens.evaluate(out('hello world'), ctx())).pass, true);
    assert.equal((await tokens.evaluate(out('The quick brown fox jumps over the lazy dog.'), ctx())).pass, false);
  });

  test('latency and cost ceilings; an unknown cost fails', async () => {
    const latency = assertion({ type: 'latency', max_ms: 500 });
    assert.equal((await latency.evaluate(out('x', { latencyMs: 499 }), ctx())).pass, true);
    assert.match((await latency.evaluate(out('x', { latencyMs: 501 }), ctx())).reason, /501 ms exceeds the ceiling of 500 ms/);
    const cost = assertion({ type: 'cost', max_usd: 0.001 });
    assert.equal((await cost.evaluate(out('x', { costUsd: 0.0009 }), ctx())).pass, true);
    assert.equal((await cost.evaluate(out('x', { costUsd: 0.002 }), ctx())).pass, false);
    assert.match((await cost.evaluate(out('x'), ctx())).reason, /cost unknown/);
  });
});

describe('assertion specs', () => {
  test('bad specs are rejected with the field at fault', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'contain', value: 'x' }, /unknown assertion type "contain" \(types: contains, /],
      [{ value: 'x' }, /unknown assertion type \(missing\)/],
      [{ type: 'regex', value: '([' }, /invalid regular expression/],
      [{ type: 'length' }, /give min, max or both/],
      [{ type: 'latency', max_ms: 'fast' }, /expected number/],
      [{ type: 'contains', value: 'x', extra: 1 }, /Unrecognized key/i],
      [{ type: 'tool-call', arguments: { a: 1 } }, /give name, order or none/],
      [{ type: 'is-json', schema: { type: 'nonsense' } }, /./],
    ];
    for (const [raw, message] of cases) {
      const parsed = assertionSpecSchema.safeParse(raw);
      assert.equal(parsed.success, false, JSON.stringify(raw));
      if (!parsed.success) assert.match(parsed.error.issues.map((i) => i.message).join('; '), message, JSON.stringify(raw));
    }
  });
});
