/** A tiny OpenAI-shaped chat-completions server that counts what it receives, for load-test tests. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingServerOptions {
  /** Response delay in ms (non-streaming), or the gap between the SSE events (streaming). */
  delayMs: number;
  /** Requests whose 1-based index is a multiple of this get HTTP 429. */
  rejectEvery?: number;
}

export interface CountingServer {
  url: string;
  /** Requests received. */
  readonly count: number;
  /** Most requests in progress at once. */
  readonly maxInFlight: number;
  /** Arrival times (performance.now()). */
  readonly arrivals: readonly number[];
  close(): Promise<void>;
}

export async function startCountingServer(options: CountingServerOptions): Promise<CountingServer> {
  let count = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const arrivals: number[] = [];
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const server = http.createServer((req, res) => {
    arrivals.push(performance.now());
    const index = ++count;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean };
        if (options.rejectEvery !== undefined && index % options.rejectEvery === 0) {
          res.writeHead(429, { 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
        } else if (body.stream === true) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const event = (o: unknown): boolean => res.write(`data: ${JSON.stringify(o)}\n\n`);
          event({ choices: [{ index: 0, delta: { role: 'assistant' } }] });
          await sleep(options.delayMs);
          event({ choices: [{ index: 0, delta: { content: 'Hel' } }] });
          event({ choices: [{ index: 0, delta: { content: 'lo' } }] });
          await sleep(options.delayMs);
          event({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
          event({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
          res.end('data: [DONE]\n\n');
        } else {
          await sleep(options.delayMs);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
        }
        inFlight--;
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return count;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
