import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLedgerBuffer } from '../../src/ledger/ledger-buffer.js';
import type { UsageLedger } from '../../src/ledger/usage-ledger.js';
import type { UsageEvent } from '../../src/ledger/usage-event.js';
import { createUsageLedger } from '../../src/ledger/usage-ledger.js';
import { openPGliteDatabase } from '../../src/store/embedded/pglite-database.js';

function event(requestId: string): UsageEvent {
  return {
    requestId,
    ts: Date.UTC(2025, 0, 1),
    model: 'm',
    provider: 'p',
    servedModel: 'm',
    usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    costUsd: 0.001,
    status: 'ok',
    streamed: false,
    latencyMs: 1,
  };
}

/** A ledger double that records the batches it was asked to write and can be told to fail. */
function recordingLedger(): UsageLedger & { batches: string[][]; failNext: number } {
  const seen = new Set<string>();
  const self = {
    batches: [] as string[][],
    failNext: 0,
    async record(e: UsageEvent) {
      return (await self.recordMany([e]))[0]!;
    },
    async recordMany(events: readonly UsageEvent[]) {
      if (self.failNext > 0) {
        self.failNext--;
        throw new Error('database down');
      }
      self.batches.push(events.map((e) => e.requestId));
      return events.map((e) => (seen.has(e.requestId) ? false : (seen.add(e.requestId), true)));
    },
    spend: async () => [],
    total: async () => ({ requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, unpricedRequests: 0 }),
  };
  return self;
}

describe('LedgerBuffer', () => {
  test('groups events into batches of maxBatch and resolves durable records after their batch commits', async () => {
    const ledger = recordingLedger();
    const buffer = createLedgerBuffer(ledger, { maxBatch: 3, maxDelayMs: 10_000, awaitDurable: true });
    const done = ['a', 'b', 'c'].map((id) => buffer.record(event(id)));
    await Promise.all(done);
    assert.deepEqual(ledger.batches, [['a', 'b', 'c']]);
    const late = buffer.record(event('d'));
    assert.equal(buffer.pending, 1, 'below maxBatch and long before maxDelayMs: still waiting');
    await buffer.close();
    await late;
    assert.deepEqual(ledger.batches, [['a', 'b', 'c'], ['d']]);
  });

  test('maxDelayMs writes a partial batch without an explicit flush', async () => {
    const ledger = recordingLedger();
    const buffer = createLedgerBuffer(ledger, { maxBatch: 100, maxDelayMs: 5, awaitDurable: true });
    await Promise.all([buffer.record(event('x')), buffer.record(event('y'))]);
    assert.deepEqual(ledger.batches, [['x', 'y']]);
    await buffer.close();
  });

  test('a durable record rejects when its batch fails; a fire-and-forget one is kept and retried', async () => {
    const ledger = recordingLedger();
    const durable = createLedgerBuffer(ledger, { maxBatch: 10, maxDelayMs: 1, awaitDurable: true });
    ledger.failNext = 1;
    await assert.rejects(durable.record(event('d1')), /database down/);
    await durable.close();

    const errors: unknown[] = [];
    const lossy = createLedgerBuffer(ledger, { maxBatch: 10, maxDelayMs: 1, awaitDurable: false, onError: (e) => errors.push(e) });
    ledger.failNext = 1;
    await lossy.record(event('f1')); // resolves at once
    await assert.rejects(lossy.flush(), /database down/);
    assert.equal(errors.length, 1);
    assert.equal(lossy.pending, 1, 'the failed event stays queued');
    await lossy.flush();
    assert.deepEqual(ledger.batches.at(-1), ['f1']);
    assert.equal(lossy.pending, 0);
    await lossy.close();
  });

  test('end to end with the SQL ledger: a replayed buffer does not duplicate events', async () => {
    const db = await openPGliteDatabase();
    try {
      const ledger = await createUsageLedger({ db });
      const first = createLedgerBuffer(ledger, { maxBatch: 50, maxDelayMs: 5, awaitDurable: false });
      for (let i = 0; i < 120; i++) await first.record(event(`r${i}`));
      await first.close();
      // A restarted process replays the last 40 events it was not sure about.
      const second = createLedgerBuffer(ledger, { maxBatch: 50, maxDelayMs: 5, awaitDurable: true });
      await Promise.all(Array.from({ length: 40 }, (_, i) => second.record(event(`r${80 + i}`))));
      await second.close();
      const total = await ledger.total({ from: 0, to: Date.UTC(2030, 0, 1) });
      assert.equal(total.requests, 120);
      assert.equal(total.costUsd, 0.12);
    } finally {
      await db.close();
    }
  });
});
