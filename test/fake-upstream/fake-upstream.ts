/**
 * The contract every fake provider upstream (OpenAI, Anthropic, …) implements, so the one
 * provider-neutral conformance suite (test/conformance/language-model-suite.ts) can drive any
 * adapter through the same situations. Small helpers that every fake needs live here too.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RecordedRequest, Scenario } from './scenario.js';

export interface FakeUpstream {
  /** The base URL to configure the adapter under test with (OpenAI: `http://127.0.0.1:<port>/v1`). */
  readonly url: string;
  /** Every request received, in order (unless the fake was started with `record: false`). */
  readonly requests: RecordedRequest[];
  /** Queues a scenario for the next request that takes one (queued scenarios are served first-in first-out). */
  enqueue(scenario: Scenario): void;
  /** Stops listening, destroys open sockets (stalled streams included) and cancels pending timers. */
  close(): Promise<void>;
}

export type ScenarioSource = Scenario[] | ((request: RecordedRequest) => Scenario);

export interface FakeUpstreamOptions {
  /** An initial queue of scenarios, or a function choosing one per request when the queue is empty. */
  scenarios?: ScenarioSource;
  /** Record requests in `requests` (default true). Turn off for benchmarks, where it would only grow. */
  record?: boolean;
}

/**
 * Picks the scenario for each request: explicitly queued ones first, then the function given at
 * start (if any), then the fake's default reply.
 */
export class ScenarioQueue {
  private readonly queue: Scenario[] = [];
  private readonly chooser: ((request: RecordedRequest) => Scenario) | undefined;

  constructor(source: ScenarioSource | undefined) {
    if (typeof source === 'function') this.chooser = source;
    else if (source) this.queue.push(...source);
  }

  enqueue(scenario: Scenario): void {
    this.queue.push(scenario);
  }

  next(request: RecordedRequest): Scenario | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    return this.chooser?.(request);
  }
}

/** Reads a request body as text (bodies are small; the fake never streams uploads). */
export function readRequestBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON body, keeping the raw text when it is not JSON (so a test can see what was sent). */
export function parseJsonBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Tracks sockets and timers of a fake server so `close()` never hangs on a stalled stream or a
 * keep-alive connection, and never leaves a timer behind that would keep the test process alive.
 */
export class ServerLifecycle {
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** setTimeout that `close()` cancels. */
  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Listens on 127.0.0.1 with an OS-assigned port and returns that port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake upstream: no TCP address');
    return address.port;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await done;
  }
}

/** Destroys a socket with a TCP RST where the platform allows it (what a crashed upstream looks like). */
export function resetSocket(socket: Socket): void {
  const withReset = socket as Socket & { resetAndDestroy?: () => Socket };
  if (typeof withReset.resetAndDestroy === 'function' && socket.readyState === 'open') withReset.resetAndDestroy();
  else socket.destroy();
}
