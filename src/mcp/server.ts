/**
 * Conduit as an MCP server: its tools (built-in AgentTools, a RAG retriever as `rag_search`) and
 * the prompt registry's prompts, for any MCP client. Transport-agnostic: `conduit mcp serve`
 * connects it to stdio, the gateway's `/mcp` route to Streamable HTTP.
 *
 * Built on the SDK's low-level `Server` rather than `McpServer` on purpose: Conduit tools carry a
 * JSON Schema (what providers see), not a zod shape, and the high-level API would make us convert
 * it back and forth. The low-level handlers pass the schema through untouched.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { AgentTool } from '../agents/tool.js';
import { createRagSearchTool, type RagSearchToolOptions } from '../agents/tools/rag-search-tool.js';
import { ConduitError, isConduitError } from '../core/errors.js';
import type { PromptRegistry } from '../prompting/registry.js';
import { getRegistryPrompt, listRegistryPrompts } from './registry-prompts.js';
import { DEFAULT_MCP_TOOL_TIMEOUT_MS, runToolForMcp } from './tool-execution.js';

export interface ConduitMcpServerOptions {
  /** Tools to expose; a tool that needs approval is listed but refuses to run (see tool-execution.ts). */
  tools?: readonly AgentTool[];
  /** A RAG retriever exposed as one more tool: the built-in `rag_search` (or the name given). */
  rag?: RagSearchToolOptions;
  /** Its prompts become MCP prompts; without it the server has no prompts capability. */
  prompts?: PromptRegistry;
  /** Used for tools without their own `timeoutMs`. Default 30 s. */
  toolTimeoutMs?: number;
  /** Reported to clients in `initialize`. Default `conduit` / `0.1.0`. */
  name?: string;
  version?: string;
}

/** A fresh SDK server (one per connection: an SDK server holds one transport at a time). */
export function createConduitMcpServer(options: ConduitMcpServerOptions): Server {
  const tools = collectTools(options);
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const server = new Server(
    { name: options.name ?? 'conduit', version: options.version ?? '0.1.0' },
    { capabilities: { tools: { listChanged: false }, ...(options.prompts === undefined ? {} : { prompts: { listChanged: false } }) } },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map(describeTool) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool '${request.params.name}' (tools: ${[...byName.keys()].join(', ')})`);
    return runToolForMcp({
      tool,
      args: request.params.arguments ?? {},
      callId: String(extra.requestId),
      signal: extra.signal,
      defaultTimeoutMs: options.toolTimeoutMs ?? DEFAULT_MCP_TOOL_TIMEOUT_MS,
    });
  });

  const registry = options.prompts;
  if (registry !== undefined) {
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: await withMcpErrors(() => listRegistryPrompts(registry)) }));
    server.setRequestHandler(GetPromptRequestSchema, (request) => withMcpErrors(() => getRegistryPrompt(registry, request.params.name, request.params.arguments ?? {})));
  }
  return server;
}

function collectTools(options: ConduitMcpServerOptions): AgentTool[] {
  const tools = [...(options.tools ?? [])];
  if (options.rag !== undefined) tools.push(createRagSearchTool(options.rag));
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) throw new ConduitError('invalid_request', `Two tools are named '${tool.name}'; MCP tool names must be unique`, { code: 'duplicate_tool' });
    seen.add(tool.name);
  }
  return tools;
}

function describeTool(tool: AgentTool): Tool {
  // MCP requires an object schema; a tool declared without one takes no arguments.
  const schema = tool.inputSchema.type === 'object' ? tool.inputSchema : { ...tool.inputSchema, type: 'object' };
  return { name: tool.name, description: tool.description, inputSchema: schema as Tool['inputSchema'] };
}

/** Conduit's client errors (unknown prompt, bad argument) become invalid-params errors the client can show. */
async function withMcpErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isConduitError(err) && (err.kind === 'invalid_request' || err.kind === 'not_found')) throw new McpError(ErrorCode.InvalidParams, err.message);
    throw err;
  }
}
