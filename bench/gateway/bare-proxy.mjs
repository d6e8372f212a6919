// Reference target: the least a Node pass-through proxy can do. It forwards each request
// (method, path, headers, body) to the upstream over a keep-alive agent and pipes the answer back,
// status and headers included, streaming as it goes. No parsing, no routing, no logging. The issue
// quotes it at about 14x Portkey's throughput on this machine: it is the ceiling a Node gateway
// can approach, and Conduit's figures are best read against it.
//
// Usage: node bare-proxy.mjs --port=N --upstream=http://127.0.0.1:M
import { Agent, createServer, request } from 'node:http';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const i = a.indexOf('=');
    return i < 0 ? [a.replace(/^--/, ''), 'true'] : [a.slice(2, i), a.slice(i + 1)];
  }),
);
const port = Number(args.get('port') ?? 0);
const upstream = new URL(args.get('upstream') ?? 'http://127.0.0.1:8080');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const out = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (up) => {
      const h = { ...up.headers };
      delete h.connection;
      delete h['keep-alive'];
      res.writeHead(up.statusCode ?? 502, h);
      up.pipe(res);
    },
  );
  // Small request and stream writes must not wait for Nagle's algorithm.
  out.on('socket', (socket) => socket.setNoDelay(true));
  out.on('error', (err) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `upstream error: ${err.message}`, type: 'upstream_error' } }));
    } else res.destroy(err);
  });
  req.pipe(out);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
