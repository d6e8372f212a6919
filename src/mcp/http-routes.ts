/**
 * MCP over Streamable HTTP at `/mcp` on `conduit serve`, as a gateway AppRoutes group, so the
 * gateway's admission (emergency stop, API keys / JWT when a policy is configured) applies to MCP
 * clients exactly as to model requests.
 *
 * Stateless: every POST gets a fresh SDK server and transport with no session id, and the answer
 * comes back as one JSON response. Nothing is held between requests, so any gateway replica can
 * answer any request and there are no sessions to expire. The price is that server-to-client
 * notifications and the standalone GET stream are not offered: GET and DELETE answer 405, which
 * the MCP clients accept as "no server-initiated stream".
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ConduitError } from '../core/errors.js';
import { readJsonBody, type AppRoutes } from '../gateway/app-routes.js';
import type { RequestContext } from '../gateway/context.js';
import { createConduitMcpServer, type ConduitMcpServerOptions } from './server.js';

export interface McpRoutesOptions extends ConduitMcpServerOptions {
  /** Default `/mcp`. */
  path?: string;
}

export function mcpRoutes(options: McpRoutesOptions): AppRoutes {
  const path = options.path ?? '/mcp';
  return {
    name: 'mcp',
    matches: (p) => p === path,
    async handle(ctx) {
      if (ctx.req.method !== 'POST') {
        throw new ConduitError('invalid_request', `Method ${ctx.req.method ?? ''} is not allowed on ${path}: this MCP endpoint is stateless, use POST`, {
          status: 405,
          code: 'method_not_allowed',
        });
      }
      await handlePost(ctx, options);
    },
  };
}

async function handlePost(ctx: RequestContext, options: ConduitMcpServerOptions): Promise<void> {
  const body = await readJsonBody(ctx);
  const server = createConduitMcpServer(options);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  ctx.res.once('close', () => {
    ctx.status = ctx.res.statusCode;
    ctx.finish();
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(ctx.req, ctx.res, body);
}
