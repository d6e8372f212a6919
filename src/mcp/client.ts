/**
 * Conduit as an MCP client: connects to an MCP server (a subprocess over stdio, or a URL over
 * Streamable HTTP) and turns its tools into AgentTools that any Conduit agent can call.
 *
 * - Names are `<server>__<tool>` so two servers' `search` tools cannot clash with each other or
 *   with built-ins; characters providers reject in tool names become `_`, and the result is cut to
 *   64 characters. The remote name is kept for the call.
 * - The remote JSON Schema is passed through unchanged; the remote server validates arguments.
 * - Results: text parts are joined with newlines; images, audio and resources are named in the
 *   text (`[image image/png]`, `[resource file:///x]`) since the model only gets text here;
 *   `structuredContent` becomes `data`; the server's `isError` is kept. A failure to reach the
 *   server (or a protocol error) is thrown as ConduitError('provider_error', code
 *   'mcp_call_failed'), which the agent loop reports to the model and may retry.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AgentTool, ToolOutput } from '../agents/tool.js';
import { ConduitError } from '../core/errors.js';
import type { JsonSchema } from '../core/messages.js';

export interface McpStdioServerSpec {
  name: string;
  command: string;
  args?: readonly string[];
  /** Added to the SDK's minimal inherited environment (PATH, HOME, …). */
  env?: Record<string, string>;
  cwd?: string;
}

export interface McpHttpServerSpec {
  name: string;
  url: string;
  /** Sent with every request (e.g. `authorization`). */
  headers?: Record<string, string>;
}

export type McpServerSpec = McpStdioServerSpec | McpHttpServerSpec;

export interface ConnectMcpServerOptions {
  /** The subprocess's stderr: `inherit` (default, shows its diagnostics) or `ignore`. */
  stderr?: 'inherit' | 'ignore';
  /** Per-request timeout for MCP calls in ms (default: the SDK's 60 s). */
  requestTimeoutMs?: number;
  /** Reported to the server in `initialize`. */
  clientName?: string;
}

export interface McpConnection {
  readonly name: string;
  /** The server's tools as AgentTools, named `<server>__<tool>`. */
  readonly tools: readonly AgentTool[];
  /** What the server said about itself in `initialize`. */
  readonly serverInfo: { name: string; version: string } | undefined;
  /** Ends the session (and the subprocess, for stdio). Idempotent. */
  close(): Promise<void>;
}

const SERVER_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_TOOL_NAME = 64;

export async function connectMcpServer(spec: McpServerSpec, options: ConnectMcpServerOptions = {}): Promise<McpConnection> {
  if (!SERVER_NAME.test(spec.name)) {
    throw new ConduitError('invalid_request', `MCP server name '${spec.name}' must be 1-32 letters, digits, - or _ (it prefixes tool names)`, { code: 'invalid_mcp_server' });
  }
  const client = new Client({ name: options.clientName ?? 'conduit', version: '0.1.0' });
  const transport = createTransport(spec, options);
  try {
    await client.connect(transport, requestOptions(options));
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new ConduitError('provider_unavailable', `Cannot connect to MCP server '${spec.name}' (${describe(spec)}): ${messageOf(err)}`, { code: 'mcp_connect_failed', cause: err });
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await client.close();
  };
  try {
    const remote = await listAllTools(client, options);
    const tools = remote.map((tool) => remoteTool(client, spec.name, tool, options));
    const seen = new Set<string>();
    for (const tool of tools) {
      if (seen.has(tool.name)) throw new ConduitError('invalid_request', `MCP server '${spec.name}' has two tools that both map to '${tool.name}'`, { code: 'mcp_tool_name_clash' });
      seen.add(tool.name);
    }
    const info = client.getServerVersion();
    return { name: spec.name, tools, serverInfo: info === undefined ? undefined : { name: info.name, version: info.version }, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `<server>__<tool>` in the provider tool-name alphabet, at most 64 characters. */
export function mcpToolName(server: string, tool: string): string {
  return `${server}__${tool.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, MAX_TOOL_NAME);
}

function createTransport(spec: McpServerSpec, options: ConnectMcpServerOptions): Transport {
  if ('url' in spec) {
    return new StreamableHTTPClientTransport(new URL(spec.url), spec.headers === undefined ? undefined : { requestInit: { headers: spec.headers } });
  }
  return new StdioClientTransport({
    command: spec.command,
    args: [...(spec.args ?? [])],
    ...(spec.env === undefined ? {} : { env: spec.env }),
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
    stderr: options.stderr ?? 'inherit',
  });
}

async function listAllTools(client: Client, options: ConnectMcpServerOptions): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions(options));
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

function remoteTool(client: Client, server: string, tool: Tool, options: ConnectMcpServerOptions): AgentTool {
  return {
    name: mcpToolName(server, tool.name),
    description: tool.description ?? tool.title ?? `${tool.name} (from MCP server ${server})`,
    inputSchema: tool.inputSchema as JsonSchema,
    async execute(args, context) {
      let result: Awaited<ReturnType<Client['callTool']>>;
      try {
        result = await client.callTool({ name: tool.name, arguments: args }, undefined, { ...requestOptions(options), signal: context.signal });
      } catch (err) {
        throw new ConduitError('provider_error', `MCP server '${server}' failed to run '${tool.name}': ${messageOf(err)}`, { code: 'mcp_call_failed', cause: err });
      }
      return toToolOutput(result);
    },
  };
}

/** Maps a tools/call result (or the legacy `{ toolResult }` shape) to what the agent loop expects. */
export function toToolOutput(result: CallToolResult | { toolResult: unknown }): ToolOutput {
  if (!('content' in result)) return { content: JSON.stringify(result.toolResult), data: result.toolResult };
  const text = result.content.map(partText).join('\n');
  const output: ToolOutput = { content: text };
  if (result.structuredContent !== undefined) output.data = result.structuredContent;
  if (result.isError === true) output.isError = true;
  return output;
}

function partText(part: CallToolResult['content'][number]): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'image':
    case 'audio':
      return `[${part.type} ${part.mimeType}]`;
    case 'resource_link':
      return `[resource ${part.uri}]`;
    case 'resource':
      return 'text' in part.resource && typeof part.resource.text === 'string' ? part.resource.text : `[resource ${part.resource.uri}]`;
  }
}

function requestOptions(options: ConnectMcpServerOptions): { timeout?: number } {
  return options.requestTimeoutMs === undefined ? {} : { timeout: options.requestTimeoutMs };
}

function describe(spec: McpServerSpec): string {
  return 'url' in spec ? spec.url : [spec.command, ...(spec.args ?? [])].join(' ');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
