/** Redis helpers for the rate-limit tests: a unique key prefix per run, cleanup, and a killable proxy. */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { openRedis, type RedisConnection, type OpenRedisOptions } from '../../src/store/redis/open-redis.js';

export const REDIS_URL = process.env.CONDUIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test run shares, so parallel runs and leftovers never collide. */
export function testPrefix(): string {
  return `conduit-test:${randomUUID()}:`;
}

export function openTestRedis(prefix: string, options: OpenRedisOptions = {}, url = REDIS_URL): RedisConnection {
  return openRedis(url, { prefix, commandTimeoutMs: 10_000, ...options });
}

/** Deletes every key under the prefix, then closes the connection. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  const redis = openRedis(REDIS_URL, { prefix });
  try {
    await redis.ensureConnected();
    let cursor = '0';
    do {
      const [next, keys] = await redis.client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.client.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.close();
  }
}

export async function countKeys(prefix: string): Promise<number> {
  const redis = openRedis(REDIS_URL, { prefix });
  try {
    await redis.ensureConnected();
    const keys = await redis.client.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
    return keys.length;
  } finally {
    await redis.close();
  }
}

/**
 * A TCP proxy in front of the real Redis that the test can take down and bring back on the same
 * port, to simulate Redis stopping and returning without touching the shared server.
 */
export class RedisProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(6379, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Polls `predicate` until true or the deadline; generous by design (shared, slow machines). */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, stepMs = 20): Promise<number> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return Date.now() - start;
}
