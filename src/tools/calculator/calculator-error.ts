/**
 * The calculator's error: a bad expression is the caller's (usually a model's) mistake, so it is an
 * `invalid_request` ConduitError whose message says exactly what is wrong, and whose `code` says
 * which kind of mistake it is.
 */
import { ConduitError } from '../../core/errors.js';

export type CalculatorErrorCode =
  | 'calculator_syntax' // malformed input, unknown names, wrong argument counts
  | 'calculator_too_long' // longer than MAX_EXPRESSION_LENGTH
  | 'calculator_too_deep' // nested deeper than MAX_EXPRESSION_DEPTH
  | 'calculator_division_by_zero' // division or modulo by zero
  | 'calculator_domain' // sqrt of a negative, log of a non-positive, a non-real power
  | 'calculator_not_finite'; // overflow

export class CalculatorError extends ConduitError {
  declare readonly code: CalculatorErrorCode;

  constructor(code: CalculatorErrorCode, message: string) {
    super('invalid_request', message, { code });
    this.name = 'CalculatorError';
  }
}
