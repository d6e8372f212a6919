import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, formatCalculatorValue as formatNumber } from '../../../src/tools/calculator/index.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';

const ctx = { runId: 'r', callId: 'c', signal: new AbortController().signal };

describe('calculator expression parser', () => {
  const cases: [string, number][] = [
    ['25% of 1200', 300],
    ['25 % of 1,200', 300],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['--3', 3],
    ['10 % 3', 1],
    ['50%', 0.5],
    ['200 * 15%', 30],
    ['sqrt(16) + abs(-3)', 7],
    ['round(3.14159, 2)', 3.14],
    ['min(4, 2, 8) + max(1, 9)', 11],
    ['log(1000)', 3],
    ['log(8, 2)', 3],
    ['ln(e)', 1],
    ['exp(0)', 1],
    ['2 ** 10', 1024],
    ['1e3 / 4', 250],
    ['1,234,567.5 - 0.5', 1234567],
    ['6 × 7 ÷ 2', 21],
    ['0.1 + 0.2', 0.30000000000000004],
  ];
  for (const [expression, expected] of cases) {
    test(`${expression} = ${expected}`, () => assert.equal(evaluateExpression(expression), expected));
  }

  test('formats without float noise', () => {
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(-0), '0');
  });

  test('refuses anything that is not arithmetic, with a clear message', () => {
    for (const [expression, pattern] of [
      ['constructor', /unknown name 'constructor'/],
      ['process.exit(1)', /unknown name 'process'|unexpected character '\.'/],
      ['__proto__', /unknown name/],
      ['require("fs")', /unknown name 'require'|unexpected character/],
      ['1 +', /ends too early/],
      ['(1 + 2', /expected '\)'/],
      ['1 / 0', /division by zero/],
      ['sqrt(-1)', /negative/],
      ['5 of 10', /'of' must follow a percentage/],
      ['max()', /unexpected '\)'/],
      ['round(1, 2, 3)', /takes 1 or 2 argument/],
      ['', /empty/],
      ['2 ^ 99999', /not a finite number/],
    ] as const) {
      assert.throws(() => evaluateExpression(expression), pattern, expression);
    }
  });

  test('deep nesting is refused instead of overflowing the stack', () => {
    assert.throws(() => evaluateExpression('('.repeat(500) + '1' + ')'.repeat(500)), /nested deeper/);
    assert.throws(() => evaluateExpression('-'.repeat(500) + '1'), /nested deeper/);
  });
});

describe('calculator tool', () => {
  test('returns the value as content and structured data', async () => {
    const out = await createCalculatorTool().execute({ expression: '25% of 1200' }, ctx);
    assert.deepEqual(out, { content: '300', data: { expression: '25% of 1200', value: 300 } });
  });

  test('a bad expression is an error result explaining the problem, not a throw', async () => {
    const out = await createCalculatorTool().execute({ expression: 'eval("1")' }, ctx);
    assert.equal(out.isError, true);
    assert.match(out.content, /unknown name 'eval'|unexpected character/);
  });

  test('arguments are validated by the zod schema', async () => {
    const tool = createCalculatorTool();
    assert.deepEqual(tool.validate?.({ expression: 3 }).ok, false);
    const out = await tool.execute({}, ctx);
    assert.equal(out.isError, true);
    assert.match(out.content, /Invalid arguments for calculator: expression/);
  });
});
