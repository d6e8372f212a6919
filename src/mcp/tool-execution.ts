/**
 * Runs one Conduit AgentTool on behalf of an MCP client: enforces the tool's timeout, keeps tools
 * that need a human decision from running (an MCP client has no approval flow in Conduit), and
 * turns thrown errors into tool results with `isError`, as the MCP spec asks, so the calling model
 * sees what went wrong instead of a protocol failure.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AgentTool, ToolOutput } from '../agents/tool.js';
import { ConduitError } from '../core/errors.js';

export const DEFAULT_MCP_TOOL_TIMEOUT_MS = 30_000;

export interface McpToolCall {
  tool: AgentTool;
  args: Record<string, unknown>;
  /** The JSON-RPC request id, used as the call id. */
  callId: string;
  /** Aborted when the client cancels the request or disconnects. */
  signal: AbortSignal;
  /** Used when the tool declares no `timeoutMs`. */
  defaultTimeoutMs: number;
}

/** Whether a call with these arguments would need approval: such calls never run over MCP. */
export function needsApproval(tool: AgentTool, args: Record<string, unknown>): boolean {
  const rule = tool.requiresApproval;
  if (rule === undefined || rule === false) return false;
  if (rule === true) return true;
  // A numeric threshold without a risk scorer cannot be judged safe: treat it as needing approval.
  if (tool.riskScore === undefined) return true;
  return tool.riskScore(args) >= rule;
}

export async function runToolForMcp(call: McpToolCall): Promise<CallToolResult> {
  const { tool } = call;
  let args = call.args;
  if (tool.validate !== undefined) {
    const checked = tool.validate(args);
    if (!checked.ok) return errorResult(`Invalid arguments for ${tool.name}: ${checked.error}`);
    args = checked.args;
  }
  if (needsApproval(tool, args)) {
    return errorResult(`Tool '${tool.name}' needs human approval for this call, which is not available over MCP; use Conduit's agent API instead.`);
  }
  const timeoutMs = tool.timeoutMs ?? call.defaultTimeoutMs;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(call.signal.reason);
  if (call.signal.aborted) onAbort();
  else call.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new ConduitError('timeout', `Tool '${tool.name}' did not finish within ${timeoutMs} ms`, { code: 'tool_timeout' });
      // Settle first: a tool that rejects on abort must not win the race with its own 'aborted' error.
      reject(err);
      controller.abort(err);
    }, timeoutMs);
  });
  try {
    const output = await Promise.race([tool.execute(args, { runId: `mcp-${call.callId}`, callId: call.callId, signal: controller.signal }), deadline]);
    return toCallToolResult(output);
  } catch (err) {
    return errorResult(`Tool '${tool.name}' failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
    call.signal.removeEventListener('abort', onAbort);
  }
}

export function toCallToolResult(output: ToolOutput): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text: output.content }] };
  if (output.isError === true) result.isError = true;
  // Structured content must be a JSON object; other data stays in the text the tool chose to write.
  if (isPlainObject(output.data)) result.structuredContent = output.data;
  return result;
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
