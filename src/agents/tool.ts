/**
 * The agent layer's tool contract, shared by the agent loop, the built-in tools, the MCP server
 * (which exposes Conduit tools) and the MCP client (which turns a remote server's tools into these).
 * A tool validates its own input: `inputSchema` is the JSON Schema sent to the provider, and
 * `execute` receives the already-parsed arguments object (the loop validates against the zod
 * schema when a tool was declared with one, and returns validation errors to the model).
 */
import type { JsonSchema, ToolDefinition } from '../core/messages.js';

export interface ToolContext {
  /** The run this call belongs to (for audit and events). */
  runId: string;
  /** The tool call's id as the model gave it. */
  callId: string;
  /** Aborted when the run is cancelled or the tool's timeout passes. */
  signal: AbortSignal;
}

/** What a tool returns: text for the model, plus optional structured data for the caller. */
export interface ToolOutput {
  /** What goes back to the model as the tool result. */
  content: string;
  /** Machine-readable result for events and APIs (never sent to the model unless in `content`). */
  data?: unknown;
  /** True when the tool failed; the content then explains the failure to the model. */
  isError?: boolean;
}

export interface ToolRetryPolicy {
  /** Extra attempts after the first (default 0). */
  retries: number;
  /** Delay before the first retry, doubled each time (default 200 ms). */
  backoffMs?: number;
}

export interface AgentTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object, as the provider sees it. */
  readonly inputSchema: JsonSchema;
  /** Per-call timeout in ms (default: the loop's tool timeout). */
  readonly timeoutMs?: number;
  readonly retry?: ToolRetryPolicy;
  /**
   * `true`: every call waits for a human decision; a number: calls whose `riskScore` reaches it do.
   * Default: no approval.
   */
  readonly requiresApproval?: boolean | number;
  /** Risk of one call in [0, 1] (e.g. a write outside a dry run scores higher); used with a numeric `requiresApproval`. */
  riskScore?(args: Record<string, unknown>): number;
  /**
   * Checks (and may normalise, e.g. apply defaults) the parsed arguments before `execute`; tools
   * from `defineTool` derive it from their zod schema. Without it the loop only checks that the
   * arguments are a JSON object. A failure goes back to the model as an error tool result.
   */
  validate?(args: unknown): ToolArgsValidation;
  execute(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutput>;
}

export type ToolArgsValidation = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

/** The provider-facing definition of a tool. */
export function toolDefinition(tool: AgentTool): ToolDefinition {
  return { name: tool.name, description: tool.description, parameters: tool.inputSchema };
}
