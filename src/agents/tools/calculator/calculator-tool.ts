/** The built-in `calculator` tool: evaluates an arithmetic expression with the safe parser in expression.ts. */
import { z } from 'zod';
import { isConduitError } from '../../../core/errors.js';
import type { AgentTool } from '../../tool.js';
import { defineTool } from '../define-tool.js';
import { evaluateExpression, formatNumber } from './expression.js';

export const CALCULATOR_TOOL_NAME = 'calculator';

export function createCalculatorTool(): AgentTool {
  return defineTool({
    name: CALCULATOR_TOOL_NAME,
    description:
      'Evaluates an arithmetic expression exactly. Supports + - * / ^, parentheses, unary minus, percentages ("25% of 1200", "15%"), ' +
      'modulo ("10 % 3"), and the functions sqrt, abs, round(x[, digits]), floor, ceil, min, max, log (base 10, or log(x, base)), ln, exp; constants pi, e.',
    schema: z.object({ expression: z.string().min(1).max(2000).describe('The expression, e.g. "25% of 1200" or "(3 + 4) * 2^3"') }),
    timeoutMs: 1000,
    async execute({ expression }) {
      try {
        const value = evaluateExpression(expression);
        return { content: formatNumber(value), data: { expression, value } };
      } catch (err) {
        // A bad expression is the model's mistake: tell it exactly what is wrong so it can fix it.
        if (isConduitError(err) && err.kind === 'invalid_request') return { content: err.message, isError: true, data: { expression, code: err.code } };
        throw err;
      }
    },
  });
}
