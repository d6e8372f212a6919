/**
 * A loopback TCP proxy the outage tests put between a gateway and a shared Redis or PostgreSQL, so
 * that "the dependency went away" can be simulated by closing the proxy — never by stopping the
 * machine's real server, which other tests use at the same time.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port it listens on (127.0.0.1); the same after `resume()`. */
  readonly port: number;
  /** Destroys every proxied connection and stops listening: clients see resets, then refusals. */
  interrupt(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  /** interrupt(), for teardown. Idempotent. */
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const srv = createServer((client) => {
        const upstream = createConnection({ host: targetHost, port: targetPort });
        track(client);
        track(upstream);
        // Either side failing ends both: the proxy must never hold a half-open pair.
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        server = srv;
        const addr = srv.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });

  const port = await listen(0);

  const interrupt = async (): Promise<void> => {
    const srv = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    sockets.clear();
    if (srv !== undefined) await new Promise<void>((resolve) => srv.close(() => resolve()));
  };

  return {
    port,
    interrupt,
    async resume() {
      if (server !== undefined) return;
      await listen(port);
    },
    close: interrupt,
  };
}
