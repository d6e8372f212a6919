/**
 * Runs the calculator on a `calculate` step: finds the arithmetic in the model's `action`,
 * evaluates it, and decides whether the model's own `result` agrees. The calculator's value is
 * what the conversation carries on with, because a model's mental arithmetic is exactly what the
 * guide's own transcript gets wrong ($1,104.90 instead of $1,104.94).
 */
import { formatCalculatorValue, tryEvaluate } from '../tools/calculator/index.js';

export interface CalculatorOutcome {
  /** The expression that was evaluated (or the last one tried, when none evaluated). */
  expression: string;
  /** The value, when the expression evaluated. */
  value?: number;
  /** Why no value: a malformed expression, division by zero, or no arithmetic in the action. */
  error?: string;
  /** The model's own `result`. */
  modelResult: string;
  /** True when the model's result is the calculator's value (at the precision the model wrote). */
  agrees: boolean;
}

/**
 * Candidate expressions in an action, most likely first: `calculate: 1000*(1+0.05/12)^24`,
 * `1 + 0.05/12 = 1.004167` (the left side is the arithmetic, the right side the model's answer),
 * `A = 1000 * 1.1049` (the left side is a name). A leading `label:` is dropped.
 */
export function expressionCandidates(action: string): string[] {
  const text = action.trim().replace(/^[A-Za-z][A-Za-z ]{0,40}:\s*/, '');
  const sides = text
    .split('=')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return sides.length > 0 ? sides : [text];
}

export function runCalculator(action: string, modelResult: string): CalculatorOutcome {
  const candidates = expressionCandidates(action);
  let firstError: { expression: string; error: string } | undefined;
  for (const expression of candidates) {
    // A bare number is an answer, not arithmetic (the right side of `1 + 2 = 3`); skip it unless it is all there is.
    if (candidates.length > 1 && /^\$?\s*-?[\d,]*\.?\d+%?$/.test(expression)) continue;
    const evaluated = tryEvaluate(expression);
    if (evaluated.ok) return { expression, value: evaluated.value, modelResult, agrees: agreesWith(modelResult, evaluated.value) };
    firstError ??= { expression, error: evaluated.error };
  }
  const error = firstError ?? { expression: action.trim(), error: 'no arithmetic expression found in the action' };
  return { expression: error.expression, error: error.error, modelResult, agrees: false };
}

/**
 * The model agrees when the first number in its result equals the calculator's value rounded to
 * the decimals the model wrote: `1.004167` agrees with 1.0041666…, `1104.90` does not agree with
 * 1104.9413…. No number in the result means no agreement (both are then shown).
 */
export function agreesWith(modelResult: string, value: number): boolean {
  const candidates = [...modelResult.replace(/\$/g, '').matchAll(/-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\.\d+/g)];
  const first = candidates[0]?.[0];
  if (first === undefined) return false;
  const modelValue = Number(first.replace(/,/g, ''));
  const decimals = first.includes('.') ? first.split('.')[1]!.length : 0;
  const rounded = Number(value.toFixed(Math.min(decimals, 20)));
  const tolerance = 10 ** -(decimals + 6);
  return Math.abs(modelValue - rounded) <= tolerance * Math.max(1, Math.abs(rounded));
}

/** The step result the conversation continues with. */
export function calculatorResultText(outcome: CalculatorOutcome): string {
  if (outcome.value !== undefined) return formatCalculatorValue(outcome.value);
  return `Calculator error: ${outcome.error ?? 'unknown error'} (expression: ${outcome.expression})`;
}
