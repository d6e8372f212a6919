/**
 * The MCP servers named under `mcp.servers` in conduit.yaml, connected together: their tools
 * (`<server>__<tool>`) are what agents get on top of the built-ins, and one `close()` ends every
 * session and subprocess.
 */
import type { AgentTool } from '../agents/tool.js';
import type { McpServerConfig } from '../config/schema.js';
import { connectMcpServer, type ConnectMcpServerOptions, type McpConnection, type McpServerSpec } from './client.js';

export interface McpToolset {
  readonly tools: readonly AgentTool[];
  readonly connections: readonly McpConnection[];
  /** Servers skipped because they could not be reached (only with `onError: 'skip'`). */
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

export interface ConnectConfiguredOptions extends ConnectMcpServerOptions {
  /**
   * `throw` (default): one unreachable server fails the whole call (and closes the others).
   * `skip`: it is left out and named in `warnings`, so a gateway still starts without it.
   */
  onError?: 'throw' | 'skip';
}

export async function connectConfiguredMcpServers(servers: readonly McpServerConfig[], options: ConnectConfiguredOptions = {}): Promise<McpToolset> {
  const connections: McpConnection[] = [];
  const warnings: string[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(connections.map((c) => c.close()));
  };
  for (const server of servers) {
    try {
      connections.push(await connectMcpServer(toSpec(server), options));
    } catch (err) {
      if (options.onError === 'skip') {
        warnings.push(err instanceof Error ? err.message : String(err));
        continue;
      }
      await closeAll();
      throw err;
    }
  }
  return { tools: connections.flatMap((c) => c.tools), connections, warnings, close: closeAll };
}

function toSpec(server: McpServerConfig): McpServerSpec {
  if ('url' in server) return { name: server.name, url: server.url, ...(server.headers === undefined ? {} : { headers: server.headers }) };
  return {
    name: server.name,
    command: server.command,
    args: server.args,
    ...(server.env === undefined ? {} : { env: server.env }),
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
  };
}
