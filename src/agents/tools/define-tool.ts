/**
 * Declares an AgentTool from a zod schema: the provider sees the JSON Schema zod derives
 * (`z.toJSONSchema`), and the arguments are validated (and defaulted) by the same schema before
 * `execute` runs, so a tool body only ever sees typed, checked input.
 */
import { z } from 'zod';
import type { JsonSchema } from '../../core/messages.js';
import type { AgentTool, ToolArgsValidation, ToolContext, ToolOutput, ToolRetryPolicy } from '../tool.js';

export interface DefineToolOptions<Schema extends z.ZodObject> {
  name: string;
  description: string;
  schema: Schema;
  /** May return a plain string (the content for the model) or a full ToolOutput. */
  execute(args: z.output<Schema>, context: ToolContext): Promise<ToolOutput | string>;
  timeoutMs?: number;
  retry?: ToolRetryPolicy;
  requiresApproval?: boolean | number;
  riskScore?(args: z.output<Schema>): number;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function defineTool<Schema extends z.ZodObject>(options: DefineToolOptions<Schema>): AgentTool {
  if (!TOOL_NAME.test(options.name)) {
    // Providers accept only this alphabet for function names; failing here beats a 400 mid-run.
    throw new Error(`tool name '${options.name}' must match ${TOOL_NAME.source}`);
  }
  const schema = options.schema;
  const inputSchema = toolJsonSchema(schema);
  const validate = (args: unknown): ToolArgsValidation => {
    const result = schema.safeParse(args);
    if (result.success) return { ok: true, args: result.data as Record<string, unknown> };
    return { ok: false, error: formatIssues(result.error.issues) };
  };
  const tool: AgentTool = {
    name: options.name,
    description: options.description,
    inputSchema,
    validate,
    async execute(args, context) {
      // Validated again here so that callers other than the loop (the MCP server) get the same guarantee.
      const checked = validate(args);
      if (!checked.ok) return { content: `Invalid arguments for ${options.name}: ${checked.error}`, isError: true };
      const out = await options.execute(checked.args as z.output<Schema>, context);
      return typeof out === 'string' ? { content: out } : out;
    },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.requiresApproval === undefined ? {} : { requiresApproval: options.requiresApproval }),
  };
  const riskScore = options.riskScore;
  if (riskScore !== undefined) {
    tool.riskScore = (args) => {
      const checked = validate(args);
      // Arguments that do not validate never execute; score them as risky so nothing slips past approval.
      return checked.ok ? riskScore(checked.args as z.output<Schema>) : 1;
    };
  }
  return tool;
}

function toolJsonSchema(schema: z.ZodType): JsonSchema {
  // `io: 'input'`: fields with defaults are optional for the model, as they are for the parser.
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const { $schema: _ignored, ...rest } = json;
  return rest;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('; ');
}
