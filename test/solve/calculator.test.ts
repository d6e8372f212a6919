import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CalculatorError, evaluateExpression, formatCalculatorValue, tryEvaluate } from '../../src/tools/calculator/index.js';
import { agreesWith, expressionCandidates, runCalculator } from '../../src/solve/calculate-step.js';

describe('calculator: evaluation', () => {
  test('the guide\'s compound interest: $1000 at 5% compounded monthly for 2 years is 1104.94', () => {
    const value = evaluateExpression('1000*(1+0.05/12)^(12*2)');
    assert.equal(value.toFixed(2), '1104.94');
    assert.equal(formatCalculatorValue(value), '1104.9413355583');
  });

  test('precedence: * and / before + and -, ^ before *', () => {
    assert.equal(evaluateExpression('2 + 3 * 4'), 14);
    assert.equal(evaluateExpression('10 - 4 / 2'), 8);
    assert.equal(evaluateExpression('2 * 3 ^ 2'), 18);
    assert.equal(evaluateExpression('10 - 2 - 3'), 5, 'minus is left-associative');
    assert.equal(evaluateExpression('64 / 4 / 2'), 8, 'division is left-associative');
  });

  test('^ is right-associative', () => {
    assert.equal(evaluateExpression('2^3^2'), 512);
    assert.equal(evaluateExpression('2 ** 3 ** 2'), 512);
    assert.equal(evaluateExpression('(2^3)^2'), 64);
  });

  test('parentheses and unary minus', () => {
    assert.equal(evaluateExpression('(2 + 3) * 4'), 20);
    assert.equal(evaluateExpression('-(2 + 3)'), -5);
    assert.equal(evaluateExpression('-2^2'), -4, 'unary minus binds looser than ^');
    assert.equal(evaluateExpression('(-2)^2'), 4);
    assert.equal(evaluateExpression('2^-1'), 0.5);
    assert.equal(evaluateExpression('3 - -2'), 5);
    assert.equal(evaluateExpression('--4'), 4);
  });

  test('decimals, unicode operators, thousands separators and $', () => {
    assert.equal(evaluateExpression('.5 + 1.25'), 1.75);
    assert.equal(evaluateExpression('240 × 0.15'), 36);
    assert.equal(evaluateExpression('12 ÷ 4 − 1'), 2);
    assert.equal(evaluateExpression('$1,000 * 1.05'), 1050);
    assert.equal(evaluateExpression('1,234,567 + 1'), 1234568);
    assert.throws(() => evaluateExpression('1,23 + 1'), CalculatorError, 'a comma not followed by three digits is no separator');
  });

  test('% is percent when no operand follows, modulo when one does', () => {
    assert.equal(evaluateExpression('15% * 240'), 36);
    assert.equal(evaluateExpression('240 * 15%'), 36);
    assert.equal(evaluateExpression('1000 * (1 + 5%)'), 1050);
    assert.equal(evaluateExpression('10 % 3'), 1);
    assert.equal(evaluateExpression('7 % (2 + 2)'), 3);
  });

  test('errors: division and modulo by zero, malformed input', () => {
    assert.throws(() => evaluateExpression('1 / 0'), /division by zero/);
    assert.throws(() => evaluateExpression('5 / (2 - 2)'), /division by zero/);
    assert.throws(() => evaluateExpression('5 % 0'), /modulo by zero/);
    assert.throws(() => evaluateExpression(''), /empty expression/);
    assert.throws(() => evaluateExpression('(1 + 2'), /missing '\)'/);
    assert.throws(() => evaluateExpression('1 + 2)'), /unexpected '\)'/);
    assert.throws(() => evaluateExpression('1 +'), /ends where a number was expected/);
    assert.throws(() => evaluateExpression('2(3)'), CalculatorError, 'no implicit multiplication');
    assert.throws(() => evaluateExpression('(-8)^0.5'), /not a real number/);
    assert.throws(() => evaluateExpression('10^400'), /not a finite number/);
    assert.throws(() => evaluateExpression('('.repeat(100) + '1' + ')'.repeat(100)), /nested deeper/);
  });

  test('no eval: code is rejected as invalid input and never runs', () => {
    let exited = false;
    const realExit = process.exit;
    process.exit = ((): never => {
      exited = true;
      throw new Error('process.exit was called');
    }) as typeof process.exit;
    try {
      for (const code of ['process.exit()', 'require("fs")', 'globalThis', '1; process.exit(1)', 'Math.PI', '(() => 1)()', 'constructor']) {
        const result = tryEvaluate(code);
        assert.equal(result.ok, false, code);
        // Words are names now (the shared evaluator has functions and constants): unknown ones are refused by name.
        if (!result.ok) assert.match(result.error, /unexpected character|unknown name/, code);
      }
    } finally {
      process.exit = realExit;
    }
    assert.equal(exited, false);
  });
});

describe('calculator: calculate steps', () => {
  test('expressions are found in labelled actions and equations', () => {
    assert.deepEqual(expressionCandidates('calculate: 1000*(1+0.05/12)^24'), ['1000*(1+0.05/12)^24']);
    assert.deepEqual(expressionCandidates('1 + 0.05/12 = 1.004167'), ['1 + 0.05/12', '1.004167']);
    const fromEquation = runCalculator('A = 1000 * 1.1049', '1104.90');
    assert.equal(fromEquation.expression, '1000 * 1.1049');
    assert.equal(fromEquation.agrees, true);
  });

  test('the model agrees only when its number is the value at the precision it wrote', () => {
    assert.equal(agreesWith('1.004167', 1 + 0.05 / 12), true);
    assert.equal(agreesWith('$1,104.94', 1104.941335558327), true);
    assert.equal(agreesWith('1104.90', 1104.941335558327), false);
    assert.equal(agreesWith('about a thousand', 1000), false);
  });

  test('wrong arithmetic is caught; errors are reported, not thrown', () => {
    const wrong = runCalculator('1000 * (1 + 0.05/12)^24', '$1,104.90');
    assert.equal(wrong.agrees, false);
    assert.equal(wrong.value?.toFixed(2), '1104.94');
    const byZero = runCalculator('calculate: 100 / 0', '0');
    assert.equal(byZero.error, 'division by zero');
    const noMath = runCalculator('Identify the variables', 'P=1000');
    assert.match(noMath.error ?? '', /unknown name 'Identify'/);
  });
});
