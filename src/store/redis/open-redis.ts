/**
 * The one way Conduit opens Redis. Choices made for a gateway hot path, not for a job queue:
 * - lazy: opening never blocks or throws, so a gateway starts (and reports not-ready) while Redis is down;
 * - `enableOfflineQueue: false`: while disconnected, commands fail at once instead of queueing without
 *   bound, so a policy can fail open or closed within one request instead of hanging it;
 * - bounded exponential reconnect backoff that never gives up, so service recovers by itself;
 * - no automatic re-sending of commands that were in flight when the socket dropped: a rate-limit
 *   script that may already have run must not run twice.
 * Keys are namespaced with `prefix` by `key()`, explicitly rather than through ioredis' own
 * `keyPrefix`, which does not apply to SCAN patterns or pub/sub channels and so hides surprises.
 */
import { Redis } from 'ioredis';

export interface OpenRedisOptions {
  /** Prepended to every key built with `key()` and every channel built with `channel()` (default `conduit:`). */
  prefix?: string;
  /** TCP connect timeout (default 2000 ms). */
  connectTimeoutMs?: number;
  /** A command without a reply after this long fails (default 2000 ms); keeps requests from hanging on a stuck Redis. */
  commandTimeoutMs?: number;
  /** First reconnect delay (default 50 ms); doubles per attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  /** Reconnect delay ceiling (default 2000 ms). */
  maxBackoffMs?: number;
  /** Shown in `CLIENT LIST`. */
  connectionName?: string;
  /** Connection errors (refused, reset…). They are otherwise swallowed: callers see them as failed commands. */
  onError?: (err: Error) => void;
}

export interface RedisConnection {
  readonly client: Redis;
  readonly prefix: string;
  /** `prefix` + parts joined by `:`. */
  key(...parts: string[]): string;
  /**
   * Connects on first use (lazy) and waits for that first attempt. Afterwards it returns at once:
   * while Redis is away, commands fail fast and ioredis reconnects in the background.
   */
  ensureConnected(): Promise<void>;
  /** True when Redis answers PING; never throws. For `/ready`. */
  ping(): Promise<boolean>;
  /** True when the socket is connected and ready for commands (no round trip). */
  isReady(): boolean;
  /** The last connection error seen, if any. */
  lastError(): Error | undefined;
  /** A second, independent connection with the same settings (pub/sub needs its own). */
  duplicate(): RedisConnection;
  /** Closes the connection; idempotent. */
  close(): Promise<void>;
}

/** Bounded exponential backoff with a little jitter so replicas do not reconnect in lockstep. */
export function reconnectDelay(attempt: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.2));
}

export function openRedis(url: string, options: OpenRedisOptions = {}): RedisConnection {
  const prefix = options.prefix ?? 'conduit:';
  const baseMs = options.baseBackoffMs ?? 50;
  const maxMs = options.maxBackoffMs ?? 2000;
  let lastError: Error | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // In-flight commands are rejected on the first reconnect attempt rather than retried later.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    retryStrategy: (times: number) => reconnectDelay(times, baseMs, maxMs),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  });
  // Without a listener ioredis logs "Unhandled error event" for every failed reconnect.
  client.on('error', (err: Error) => {
    lastError = err;
    options.onError?.(err);
  });

  let firstConnect: Promise<void> | undefined;
  let closed = false;

  const connection: RedisConnection = {
    client,
    prefix,
    key: (...parts) => prefix + parts.join(':'),
    async ensureConnected() {
      if (client.status === 'wait') {
        firstConnect ??= client.connect().catch((err: unknown) => {
          lastError = err instanceof Error ? err : new Error(String(err));
        });
      }
      if (firstConnect) await firstConnect;
    },
    async ping() {
      try {
        await connection.ensureConnected();
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    isReady: () => client.status === 'ready',
    lastError: () => lastError,
    duplicate: () => openRedis(url, options),
    async close() {
      if (closed) return;
      closed = true;
      if (client.status === 'ready') {
        try {
          await client.quit();
          return;
        } catch {
          // fall through to a hard disconnect
        }
      }
      client.disconnect();
    },
  };
  return connection;
}
