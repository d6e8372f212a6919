/**
 * Puts the console in front of the gateway's request handler on the same server and port: console
 * paths go to the console, everything else to the gateway exactly as before (see console-server.ts
 * for why the console is not an app-route group).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ConduitConsole } from './console-server.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function mountConsole(server: Server, console: ConduitConsole): void {
  const gatewayListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (console.matches(req.url)) {
      void console.handle(req, res);
      return;
    }
    for (const listener of gatewayListeners) listener.call(server, req, res);
  });
  server.once('close', () => console.close());
}
