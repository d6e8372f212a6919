/**
 * Tools of a case: the definitions offered to the model (`tools:`) and, for agent cases, the
 * runnable allow-list — built-in tools by name (`calculator`) and the case's own tools, which answer
 * with their fixed `returns` text so an agent's path can be tested with no side effects.
 */
import { ConduitError } from '../../core/errors.js';
import type { JsonSchema, ToolDefinition } from '../../core/messages.js';
import type { AgentTool } from '../../agents/tool.js';
import { createCalculatorTool } from '../../agents/tools/calculator/calculator-tool.js';
import { INVALID_SUITE } from './load-suite.js';
import type { EvalCaseSpec, ToolSpec } from './suite-schema.js';

const BUILTIN_TOOLS: Record<string, () => AgentTool> = {
  calculator: createCalculatorTool,
};

export function toolDefinitions(tools: readonly ToolSpec[] | undefined): ToolDefinition[] | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  return tools.map((t) => ({ name: t.name, ...(t.description === undefined ? {} : { description: t.description }), parameters: t.parameters as JsonSchema }));
}

/** The agent's allow-list for a case; `where` names the case in errors. */
export function agentTools(testCase: EvalCaseSpec, where: string): AgentTool[] {
  const names = testCase.agent?.tools ?? [];
  return names.map((name) => {
    const own = testCase.tools?.find((t) => t.name === name);
    if (own !== undefined) {
      if (own.returns === undefined) throw new ConduitError('invalid_request', `${where}.tools: agent tool "${name}" needs \`returns\` (the text it answers with)`, { code: INVALID_SUITE });
      return stubTool(own, own.returns);
    }
    const builtin = BUILTIN_TOOLS[name];
    if (builtin === undefined) {
      throw new ConduitError('invalid_request', `${where}.agent.tools: unknown tool "${name}" (built-in: ${Object.keys(BUILTIN_TOOLS).join(', ')}; or define it under the case's tools with returns)`, { code: INVALID_SUITE });
    }
    return builtin();
  });
}

function stubTool(spec: ToolSpec, returns: string): AgentTool {
  return {
    name: spec.name,
    description: spec.description ?? spec.name,
    inputSchema: spec.parameters as JsonSchema,
    execute: () => Promise.resolve({ content: returns }),
  };
}
