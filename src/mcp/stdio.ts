/**
 * MCP over stdio (`conduit mcp serve`): the process's stdin/stdout carry JSON-RPC, so nothing else
 * may ever be written to stdout; diagnostics go to stderr. Resolves when the client closes the
 * connection (stdin ends) or `signal` aborts.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Readable, Writable } from 'node:stream';
import { createConduitMcpServer, type ConduitMcpServerOptions } from './server.js';

export interface StdioServeOptions {
  /** Default process.stdin / process.stdout. */
  stdin?: Readable;
  stdout?: Writable;
  /** Stops serving when aborted (SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export async function serveMcpOverStdio(options: ConduitMcpServerOptions, io: StdioServeOptions = {}): Promise<void> {
  const server = createConduitMcpServer(options);
  const stdin = io.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, io.stdout ?? process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    // The SDK transport does not notice the end of stdin by itself: the client closing its end is the end of the session.
    stdin.once('end', () => void server.close());
    io.signal?.addEventListener('abort', () => void server.close(), { once: true });
  });
  await server.connect(transport);
  if (io.signal?.aborted === true) await server.close();
  await closed;
}
