/** The safe arithmetic evaluator shared by `conduit solve` and the agents' calculator tool. */
export { evaluateExpression, tryEvaluate, MAX_EXPRESSION_LENGTH, MAX_EXPRESSION_DEPTH } from './expression.js';
export { formatCalculatorValue } from './format-value.js';
export { CalculatorError, type CalculatorErrorCode } from './calculator-error.js';
