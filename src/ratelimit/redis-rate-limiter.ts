/**
 * Distributed rate limiter on Redis: the sliding-window log of `sliding-window-script.ts`, one
 * script call per decision, so any number of gateway replicas enforce one exact limit.
 *
 * Clock: by default the Redis server clock (TIME inside the script) — replicas' clocks drift, the
 * server's is the one timeline they share; the `now` arguments are then ignored. `clock: 'caller'`
 * uses `now` (or `Date.now()`) instead; meant for tests and single-writer setups.
 *
 * Memory: exact enforcement costs one sorted-set entry per admitted request (or token charge) in the
 * window: roughly 80–100 bytes each, so a 50/min limit holds at most 50 entries (~5 KB) per scope and
 * a 10 000/min limit ~1 MB, for as long as the scope is active. Keys expire a window after their
 * newest event. Refused requests store nothing.
 *
 * Redis unreachable: the policy's fail mode decides — `closed` throws ConduitError
 * `provider_unavailable` (503), `open` allows with `degraded: true`. There is no local state to
 * resynchronise, so enforcement resumes by itself with the first command after Redis returns.
 *
 * Redis Cluster is not supported: a request's checks span keys in different slots.
 */
import { randomBytes } from 'node:crypto';
import { ConduitError } from '../core/errors.js';
import type { RedisConnection } from '../store/redis/open-redis.js';
import { isRedisUnavailableError } from '../store/redis/redis-errors.js';
import {
  combineResults,
  degradedDecision,
  effectiveFailMode,
  normalizeCheck,
  scopePrefix,
  type NormalizedCheck,
} from './limit-check.js';
import { slidingWindowScript } from './sliding-window-script.js';
import type {
  FailMode,
  LimitCheck,
  LimitCheckResult,
  LimitDecision,
  LimitTarget,
  LimitTicket,
  RateLimiter,
} from './types.js';

export interface RedisRateLimiterOptions {
  /** Fail mode for checks that do not set their own (default `closed`). */
  failMode?: FailMode;
  /** `server` (default): Redis TIME, `now` ignored. `caller`: the `now` argument or `Date.now()`. */
  clock?: 'server' | 'caller';
  /** Called when a decision had to fail open (for a metric or log line). */
  onDegraded?: (err: unknown) => void;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly failMode: FailMode;
  private readonly callerClock: boolean;
  private readonly instanceId = randomBytes(6).toString('base64url');
  private sequence = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: RedisRateLimiterOptions = {},
  ) {
    this.failMode = options.failMode ?? 'closed';
    this.callerClock = options.clock === 'caller';
  }

  async consume(checks: readonly LimitCheck[], now?: number): Promise<LimitDecision> {
    return this.decide('consume', checks, now);
  }

  async peek(checks: readonly LimitCheck[], now?: number): Promise<LimitDecision> {
    return this.decide('peek', checks, now);
  }

  async adjust(checks: readonly LimitCheck[], delta: number, ticket?: LimitTicket, now?: number): Promise<void> {
    const rounded = delta > 0 ? Math.ceil(delta) : -Math.ceil(-delta);
    if (rounded === 0 || checks.length === 0) return;
    const normalized = checks.map(normalizeCheck);
    try {
      await this.run('adjust', normalized, now, ticket?.id ?? '', rounded);
    } catch (err) {
      // A correction after the fact has no request left to refuse: a fail-open policy just loses it.
      if (isRedisUnavailableError(err) && effectiveFailMode(normalized, this.failMode) === 'open') {
        this.options.onDegraded?.(err);
        return;
      }
      throw this.wrap(err);
    }
  }

  async reset(target: LimitTarget): Promise<void> {
    const prefix = this.redis.key('rl', scopePrefix(target.scope, target.id) + (target.metric ? `${target.metric}:` : ''));
    const pattern = escapeGlob(prefix) + '*';
    try {
      await this.redis.ensureConnected();
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await this.redis.client.del(...keys);
      } while (cursor !== '0');
    } catch (err) {
      throw this.wrap(err);
    }
  }

  /** The connection is the caller's: closing the limiter leaves it open. */
  async close(): Promise<void> {}

  private async decide(mode: 'consume' | 'peek', input: readonly LimitCheck[], now?: number): Promise<LimitDecision> {
    const checks = input.map(normalizeCheck);
    if (checks.length === 0) return combineResults([], now ?? Date.now(), undefined);
    const ticketId = this.nextId();
    let reply: number[];
    try {
      reply = await this.run(mode, checks, now, '', 0, ticketId);
    } catch (err) {
      if (isRedisUnavailableError(err) && effectiveFailMode(checks, this.failMode) === 'open') {
        this.options.onDegraded?.(err);
        return degradedDecision(checks, now ?? Date.now());
      }
      throw this.wrap(err);
    }
    const at = reply[0] as number;
    const results: LimitCheckResult[] = checks.map((c, i) => {
      const [fits, used, resetMs, retryAfterMs, tooLarge] = reply.slice(1 + i * 5, 6 + i * 5) as [
        number,
        number,
        number,
        number,
        number,
      ];
      return {
        scope: c.scope,
        id: c.id,
        metric: c.metric,
        limit: c.limit,
        windowMs: c.windowMs,
        cost: c.cost,
        allowed: fits === 1,
        remaining: Math.max(0, c.limit - used),
        resetMs,
        retryAfterMs,
        tooLarge: tooLarge === 1,
      };
    });
    const allowed = results.every((r) => r.allowed);
    return combineResults(results, at, mode === 'consume' && allowed ? ticketId : undefined);
  }

  private async run(
    mode: 'consume' | 'peek' | 'adjust',
    checks: readonly NormalizedCheck[],
    now: number | undefined,
    ticketId: string,
    delta: number,
    eventId: string = this.nextId(),
  ): Promise<number[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [mode, this.callerClock ? String(now ?? Date.now()) : '', eventId, ticketId, delta];
    for (const c of checks) {
      const log = this.redis.key('rl', c.logName);
      keys.push(log, `${log}:sum`);
      args.push(c.limit, c.windowMs, c.cost);
    }
    await this.redis.ensureConnected();
    const reply = await slidingWindowScript.run(this.redis.client, keys, args);
    if (!Array.isArray(reply) || reply.some((v) => typeof v !== 'number')) {
      throw new ConduitError('internal', 'Unexpected reply from the rate-limit script');
    }
    return reply as number[];
  }

  /** Unique across replicas (random instance id) and within one (sequence). */
  private nextId(): string {
    return `${this.instanceId}${(++this.sequence).toString(36)}`;
  }

  private wrap(err: unknown): ConduitError {
    if (err instanceof ConduitError) return err;
    if (isRedisUnavailableError(err)) {
      return new ConduitError('provider_unavailable', 'Rate-limit store (Redis) is unavailable', {
        cause: err,
        code: 'rate_limit_store_unavailable',
      });
    }
    return new ConduitError('internal', `Rate-limit script failed: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
