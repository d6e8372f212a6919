/** The built-in `calculator` tool: evaluates an arithmetic expression with the shared safe evaluator in src/tools/calculator. */
import { z } from 'zod';
import { CalculatorError, MAX_EXPRESSION_LENGTH, evaluateExpression, formatCalculatorValue } from '../../../tools/calculator/index.js';
import type { AgentTool } from '../../tool.js';
import { defineTool } from '../define-tool.js';

export const CALCULATOR_TOOL_NAME = 'calculator';

export function createCalculatorTool(): AgentTool {
  return defineTool({
    name: CALCULATOR_TOOL_NAME,
    description:
      'Evaluates an arithmetic expression exactly. Supports + - * / ^, parentheses, unary minus, percentages ("25% of 1200", "15%"), ' +
      'modulo ("10 % 3"), thousands separators ("1,234,567"), and the functions sqrt, abs, round(x[, digits]), floor, ceil, min, max, ' +
      'log (base 10, or log(x, base)), ln, exp; constants pi, e, tau. Write every multiplication with *: "2(3)" is an error.',
    schema: z.object({ expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH).describe('The expression, e.g. "25% of 1200" or "(3 + 4) * 2^3"') }),
    timeoutMs: 1000,
    async execute({ expression }) {
      try {
        const value = evaluateExpression(expression);
        return { content: formatCalculatorValue(value), data: { expression, value } };
      } catch (err) {
        // A bad expression is the model's mistake: tell it exactly what is wrong so it can fix it.
        if (err instanceof CalculatorError) return { content: `Cannot evaluate the expression: ${err.message}`, isError: true, data: { expression, code: err.code } };
        throw err;
      }
    },
  });
}
