/** The budget store adapters every budget conformance test runs against, each isolated by a fresh key prefix. */
import { randomBytes } from 'node:crypto';
import { openRedis } from '../../src/store/redis/open-redis.js';
import type { RedisConnection } from '../../src/store/redis/open-redis.js';
import type { BudgetStore } from '../../src/budgets/budget-store.js';
import { createEmbeddedBudgetStore } from '../../src/budgets/embedded-budget-store.js';
import { createRedisBudgetStore } from '../../src/budgets/redis-budget-store.js';

export const TEST_REDIS_URL = process.env.CONDUIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BudgetStoreFactory {
  name: 'embedded' | 'redis';
  /** `replicas` stores that share state (one embedded store can only be shared within the process). */
  open(replicas?: number): Promise<{ stores: BudgetStore[]; flush(): Promise<void>; dispose(): Promise<void> }>;
}

/** Deletes every key under the prefix: what FLUSHALL would do to this test's data. */
export async function deleteKeys(conn: RedisConnection): Promise<void> {
  await conn.ensureConnected();
  // A connection that dropped (a busy machine can starve the socket) reconnects by itself: give it a moment.
  for (let i = 0; i < 50 && !conn.isReady(); i++) await new Promise((r) => setTimeout(r, 100));
  let cursor = '0';
  do {
    const [next, keys] = await conn.client.scan(cursor, 'MATCH', `${conn.prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await conn.client.del(...keys);
  } while (cursor !== '0');
}

export function testRedisPrefix(): string {
  return `conduit-test:${randomBytes(6).toString('hex')}:`;
}

export const budgetStoreFactories: BudgetStoreFactory[] = [
  {
    name: 'embedded',
    async open(replicas = 1) {
      const store = createEmbeddedBudgetStore();
      return {
        stores: Array.from({ length: replicas }, () => store),
        async flush() {
          await store.close();
        },
        dispose: () => store.close(),
      };
    },
  },
  {
    name: 'redis',
    async open(replicas = 1) {
      const prefix = testRedisPrefix();
      // One connection per replica, as separate gateway processes would have.
      const conns = Array.from({ length: replicas }, () => openRedis(TEST_REDIS_URL, { prefix }));
      return {
        stores: conns.map((redis) => createRedisBudgetStore({ redis })),
        flush: () => deleteKeys(conns[0]!),
        async dispose() {
          await deleteKeys(conns[0]!);
          await Promise.all(conns.map((c) => c.close()));
        },
      };
    },
  },
];
