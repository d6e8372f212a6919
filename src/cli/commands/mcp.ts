/**
 * `conduit mcp serve`: Conduit's tools and the prompt registry (./prompts) as an MCP server over
 * stdio, for MCP hosts (Claude Desktop, IDEs, other agents) that start it as a subprocess.
 * stdout belongs to the protocol: this command writes only to stderr.
 */
import { join } from 'node:path';
import { builtinToolCatalog } from '../../agents/runs/agents-from-config.js';
import type { AgentTool } from '../../agents/tool.js';
import { loadConfig } from '../../config/load.js';
import { agentsConfigOf, type ConduitConfig } from '../../config/schema.js';
import { serveMcpOverStdio } from '../../mcp/stdio.js';
import { createPromptRegistry } from '../../prompting/registry.js';
import { UsageError, type ParsedArgs } from '../args.js';
import type { CliIo } from '../io.js';

/**
 * The tools `conduit mcp serve` and `/mcp` expose: the built-in catalog the configuration enables
 * (calculator always; http_get and the sandboxed file tools when `agents.tools` configures them —
 * a tool that needs approval is listed but refuses to run over MCP).
 */
export async function conduitMcpTools(config: ConduitConfig, cwd: string): Promise<AgentTool[]> {
  return [...(await builtinToolCatalog(agentsConfigOf(config), cwd)).values()];
}

export async function runMcp(args: ParsedArgs, io: CliIo): Promise<number> {
  const [sub, ...rest] = args.args;
  if (sub !== 'serve') throw new UsageError(sub === undefined ? "'conduit mcp' needs a subcommand: serve" : `unknown mcp subcommand '${sub}' (expected: serve)`);
  if (rest.length > 0) throw new UsageError(`'conduit mcp serve' takes no arguments, got '${rest.join(' ')}'`);
  const { config } = loadConfig({ path: args.config, env: io.env, cwd: io.cwd });
  const tools = await conduitMcpTools(config, io.cwd);
  const prompts = createPromptRegistry({ root: join(io.cwd, 'prompts') });
  io.stderr.write(`Conduit MCP server on stdio: ${tools.length} tool(s) (${tools.map((t) => t.name).join(', ')}), prompts from ${prompts.root}\n`);
  await serveMcpOverStdio({ tools, prompts }, { signal: io.shutdownSignal() });
  return 0;
}
