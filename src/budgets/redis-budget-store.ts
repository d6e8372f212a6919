/**
 * Budget counters in Redis, shared by every gateway replica. Check-and-reserve is one Lua script,
 * so two replicas racing for the last dollar cannot both win. Counter keys expire after their
 * window (plus grace); a counter that is missing — a new window, a fresh Redis, or a FLUSHALL —
 * is reported as uninitialized and the manager rebuilds it from the SQL ledger.
 *
 * All counter keys share the hash tag `{budget}` so that one script may touch a key, a team and a
 * global budget at once on Redis Cluster too (they live on one shard; budgets are small).
 *
 * When Redis is unreachable the store's calls reject with the transport error; the manager applies
 * the configured fail mode (`isRedisUnavailableError` tells that apart from a script bug).
 */
import type { RedisConnection } from '../store/redis/open-redis.js';
import type { BudgetCounter, BudgetStore, ReserveOutcome } from './budget-store.js';
import { INITIALIZE_SCRIPT, RESERVE_SCRIPT, SETTLE_SCRIPT } from './redis-budget-scripts.js';

export interface RedisBudgetStoreOptions {
  redis: RedisConnection;
  /** Close the connection with the store (default false: the caller owns it). */
  ownsConnection?: boolean;
}

function numbers(reply: unknown): number[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected reply from budget script: ${String(reply)}`);
  return reply.map((v) => Number(v));
}

export function createRedisBudgetStore(options: RedisBudgetStoreOptions): BudgetStore {
  const { redis } = options;
  const hashKey = (key: string) => redis.key('{budget}', key);
  const holdsKey = (key: string) => redis.key('{budget}', key, 'holds');
  const counterKeys = (keys: readonly string[]) => keys.flatMap((k) => [hashKey(k), holdsKey(k)]);

  async function client() {
    await redis.ensureConnected();
    return redis.client;
  }

  return {
    kind: 'redis',

    async reserve({ reservationId, now, reservationExpiresAt, lines }): Promise<ReserveOutcome> {
      const args: Array<string | number> = [now, reservationId, reservationExpiresAt];
      for (const l of lines) args.push(l.limit, l.amount, Math.max(1000, Math.ceil(l.ttlMs)));
      const reply = numbers(await RESERVE_SCRIPT.run(await client(), counterKeys(lines.map((l) => l.key)), args));
      const [tag, ...rest] = reply;
      if (tag === -1) return { status: 'uninitialized', indices: rest };
      if (tag === 0) return { status: 'refused', index: rest[0]!, counter: { spent: rest[1]!, reserved: rest[2]! } };
      const counters: BudgetCounter[] = [];
      for (let i = 0; i < rest.length; i += 2) counters.push({ spent: rest[i]!, reserved: rest[i + 1]! });
      return { status: 'reserved', counters };
    },

    async initialize({ key, spent, ttlMs }) {
      await INITIALIZE_SCRIPT.run(await client(), [hashKey(key)], [spent, Math.max(1000, Math.ceil(ttlMs))]);
    },

    async settle({ reservationId, lines }) {
      const reply = numbers(await SETTLE_SCRIPT.run(await client(), counterKeys(lines.map((l) => l.key)), [reservationId, ...lines.map((l) => l.charge)]));
      return lines.map((_, i) => (reply[2 * i]! < 0 ? null : { spent: reply[2 * i]!, reserved: reply[2 * i + 1]! }));
    },

    async read({ keys }) {
      const c = await client();
      const rows = await Promise.all(keys.map((k) => c.hmget(hashKey(k), 'spent', 'reserved')));
      return rows.map(([spent, reserved]) => (spent === null || spent === undefined ? null : { spent: Number(spent), reserved: Number(reserved ?? 0) }));
    },

    async claimOnce({ key, ttlMs }) {
      const c = await client();
      const res = await c.set(redis.key('{budget}', 'claim', key), '1', 'PX', Math.max(1000, Math.ceil(ttlMs)), 'NX');
      return res === 'OK';
    },

    async close() {
      if (options.ownsConnection) await redis.close();
    },
  };
}
