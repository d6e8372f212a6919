/**
 * The shared evaluator where the rules of `conduit solve` and of the agents' calculator tool meet:
 * functions with solve's number syntax, commas inside and outside argument lists, overflow anywhere,
 * and one error type and one formatter behind both public APIs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CalculatorError, MAX_EXPRESSION_LENGTH, evaluateExpression, formatCalculatorValue, tryEvaluate } from '../../src/tools/calculator/index.js';
import * as solve from '../../src/solve/index.js';
import * as agents from '../../src/agents/index.js';
import { createCalculatorTool } from '../../src/agents/tools/calculator/calculator-tool.js';
import { isConduitError } from '../../src/core/errors.js';

const ctx = { runId: 'r', callId: 'c', signal: new AbortController().signal };

describe('shared calculator: the merged rules', () => {
  test("solve's number syntax works with the agent's functions and constants", () => {
    assert.equal(evaluateExpression('round($1104.9413 × 1.05, 2)'), 1160.19);
    assert.equal(evaluateExpression('sqrt(10000) − 1,000'), -900);
    assert.equal(evaluateExpression('15% of $1,200'), 180);
    assert.equal(evaluateExpression('-25% of 1200'), -300);
    assert.equal(evaluateExpression('10 mod 4 + 10 % 4'), 4);
    assert.equal(evaluateExpression('PI * 2'), evaluateExpression('tau'));
    assert.equal(evaluateExpression('Sqrt(16) ** 2'), 16);
  });

  test('a comma separates arguments directly inside a function call, and thousands elsewhere', () => {
    assert.equal(evaluateExpression('max(1, 200)'), 200);
    assert.equal(evaluateExpression('max(4,2,8)'), 8);
    assert.equal(evaluateExpression('max((1,200), 5)'), 1200);
    assert.equal(evaluateExpression('(1,200 + 1) * 2'), 2402);
    assert.throws(() => evaluateExpression('max(1,200)'), /ambiguous '1,200' at position 5/, 'max(1, 200) or max(1200)? refused, not guessed');
    assert.throws(() => evaluateExpression('round($1,104.94 * 1.05, 2)'), /ambiguous '1,104.94'/);
    assert.throws(() => evaluateExpression('1,2345'), /unexpected ','/);
    assert.throws(() => evaluateExpression('1, 2'), /unexpected ','/);
  });

  test('no implicit multiplication, with a hint for the model', () => {
    assert.throws(() => evaluateExpression('2pi'), /no implicit multiplication/);
    assert.throws(() => evaluateExpression('2 sqrt(4)'), /no implicit multiplication/);
    assert.throws(() => evaluateExpression('pi(2)'), /no implicit multiplication/);
  });

  test('an overflow is refused where it happens, not only in the final result', () => {
    assert.throws(() => evaluateExpression('1 / 10^400'), /not a finite number/);
    assert.throws(() => evaluateExpression('exp(1000) * 0'), /not a finite number/);
    assert.throws(() => evaluateExpression('1e999 * 0'), /number out of range/);
  });

  test('unknown names are refused by name; functions need their parentheses and argument counts', () => {
    assert.throws(() => evaluateExpression('Math * 2'), /unknown name 'Math' at position 1/);
    assert.throws(() => evaluateExpression('hasOwnProperty(1)'), /unknown name 'hasOwnProperty'/);
    assert.throws(() => evaluateExpression('sqrt 4'), /expected '\(' after sqrt/);
    assert.throws(() => evaluateExpression('sqrt(4, 9)'), /sqrt takes 1 argument\(s\), got 2/);
    assert.throws(() => evaluateExpression('max(1, 2'), /missing '\)'/);
    assert.throws(() => evaluateExpression('log(0)'), /not positive/);
    assert.throws(() => evaluateExpression('round(2.5, 0.5)'), /round digits/);
  });

  test('length and nesting limits, including nesting through function arguments', () => {
    assert.equal(evaluateExpression('1+'.repeat((MAX_EXPRESSION_LENGTH - 1) / 2) + '1'), MAX_EXPRESSION_LENGTH / 2);
    assert.throws(() => evaluateExpression('1'.repeat(MAX_EXPRESSION_LENGTH + 1)), /longer than 2000 characters/);
    assert.throws(() => evaluateExpression('abs('.repeat(100) + '1' + ')'.repeat(100)), /nested deeper than 64/);
    assert.equal(evaluateExpression('abs('.repeat(30) + '-1' + ')'.repeat(30)), 1);
  });

  test('one error type: a CalculatorError is an invalid_request ConduitError with a code', () => {
    const cases: [string, string][] = [
      ['1 +', 'calculator_syntax'],
      ['1 / 0', 'calculator_division_by_zero'],
      ['sqrt(-1)', 'calculator_domain'],
      ['(-8)^0.5', 'calculator_domain'],
      ['10^400', 'calculator_not_finite'],
      ['('.repeat(65) + '1' + ')'.repeat(65), 'calculator_too_deep'],
    ];
    for (const [expression, code] of cases) {
      assert.throws(
        () => evaluateExpression(expression),
        (err: unknown) => err instanceof CalculatorError && isConduitError(err) && err.kind === 'invalid_request' && err.status === 400 && err.code === code,
        expression,
      );
    }
    assert.deepEqual(tryEvaluate('5 % 0'), { ok: false, error: 'modulo by zero' });
  });

  test('one formatter: integers exactly, at most 10 decimals, no float noise', () => {
    assert.equal(formatCalculatorValue(12345678901234), '12345678901234');
    assert.equal(formatCalculatorValue(1 / 3), '0.3333333333');
    assert.equal(formatCalculatorValue(1.1 * 1.1), '1.21');
    assert.equal(formatCalculatorValue(-1e-9), '-1e-9');
    assert.equal(formatCalculatorValue(-1e-20), '-1e-20');
  });

  test('solve and agents re-export the shared module instead of copies of it', () => {
    assert.equal(solve.evaluateExpression, evaluateExpression);
    assert.equal(solve.tryEvaluate, tryEvaluate);
    assert.equal(solve.formatCalculatorValue, formatCalculatorValue);
    assert.equal(solve.CalculatorError, CalculatorError);
    assert.equal(solve.MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_LENGTH);
    assert.equal(agents.evaluateExpression, evaluateExpression);
    assert.equal(agents.formatNumber, formatCalculatorValue);
  });

  test("the agent tool reports the evaluator's error and code to the model", async () => {
    const out = await createCalculatorTool().execute({ expression: '2(3)' }, ctx);
    assert.equal(out.isError, true);
    assert.match(out.content, /^Cannot evaluate the expression: unexpected '\(' at position 2 after a complete expression/);
    assert.deepEqual(out.data, { expression: '2(3)', code: 'calculator_syntax' });
    const big = await createCalculatorTool().execute({ expression: '12345678901 * 1000' }, ctx);
    assert.equal(big.content, '12345678901000');
  });
});
