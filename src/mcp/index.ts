/** MCP: Conduit's tools and prompts as an MCP server (stdio, Streamable HTTP at /mcp), and other MCP servers' tools for Conduit agents. */
export { createConduitMcpServer, type ConduitMcpServerOptions } from './server.js';
export { serveMcpOverStdio, type StdioServeOptions } from './stdio.js';
export { mcpRoutes, type McpRoutesOptions } from './http-routes.js';
export { listRegistryPrompts, getRegistryPrompt } from './registry-prompts.js';
export { runToolForMcp, needsApproval, toCallToolResult, DEFAULT_MCP_TOOL_TIMEOUT_MS, type McpToolCall } from './tool-execution.js';
export {
  connectMcpServer,
  mcpToolName,
  toToolOutput,
  type McpServerSpec,
  type McpStdioServerSpec,
  type McpHttpServerSpec,
  type McpConnection,
  type ConnectMcpServerOptions,
} from './client.js';
export { connectConfiguredMcpServers, type McpToolset, type ConnectConfiguredOptions } from './configured-servers.js';
