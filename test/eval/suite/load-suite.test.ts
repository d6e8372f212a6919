import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSuite } from '../../../src/eval/suite/load-suite.js';
import { isConduitError } from '../../../src/core/errors.js';

const GOOD = `
prompts:
  - template: "Hi {{name}}"
models: [gpt-4o-mini]
cases:
  - vars: { name: Ada }
    assert:
      - type: contains
        value: Ada
`;

function errorOf(text: string): string {
  try {
    parseSuite(text, 'suite.yaml');
  } catch (err) {
    assert.ok(isConduitError(err) && err.code === 'invalid_suite', String(err));
    return err.message;
  }
  assert.fail('expected the suite to be rejected');
}

describe('suite format', () => {
  test('a minimal suite gets its defaults and the file name as its name', () => {
    const suite = parseSuite(GOOD, 'dir/greetings.yaml');
    assert.equal(suite.name, 'greetings');
    assert.equal(suite.repeat, 1);
    assert.equal(suite.concurrency, 4);
    assert.deepEqual(suite.defaults.assert, []);
    assert.deepEqual(suite.cases[0]?.assert, [{ type: 'contains', value: 'Ada' }]);
  });

  test('errors carry the path and the line; all of them are reported', () => {
    const message = errorOf(`
prompts:
  - template: "Hi {{name}}"
models: [gpt-4o-mini]
repeat: 0
cases:
  - vars: { name: Ada }
    assert:
      - type: latency
        max_ms: fast
      - type: contain
        value: Ada
`);
    assert.match(message, /^suite\.yaml: repeat: .*>=1.* \(line 5\)$/m);
    assert.match(message, /^suite\.yaml: cases\[0\]\.assert\[0\]\.max_ms: .*expected number.* \(line 10\)$/m);
    assert.match(message, /^suite\.yaml: cases\[0\]\.assert\[1\]\.type: unknown assertion type "contain" .* \(line 11\)$/m);
  });

  test('structural mistakes: no prompts, a prompt of neither kind, duplicate case names, no assertions, bad YAML', () => {
    assert.match(errorOf('models: [a]\ncases: [{assert: [{type: contains, value: x}]}]\n'), /prompts: /);
    assert.match(errorOf(GOOD.replace('- template: "Hi {{name}}"', '- text: "Hi"')), /prompts\[0\]: expected \{template: …\}, \{ref: /);
    assert.match(
      errorOf('prompts: [{template: x}]\nmodels: [a]\ncases:\n  - {name: a, assert: [{type: contains, value: x}]}\n  - {name: a, assert: [{type: contains, value: x}]}\n'),
      /cases\[1\]\.name: duplicate case name "a" \(also cases\[0\]\)/,
    );
    assert.match(errorOf('prompts: [{template: x}]\nmodels: [a]\ncases: [{vars: {}}]\n'), /cases\[0\]\.assert: the case has no assertions/);
    assert.match(errorOf('prompts: [\n'), /invalid YAML/);
    assert.match(errorOf('- just a list\n'), /expected a mapping/);
  });
});
