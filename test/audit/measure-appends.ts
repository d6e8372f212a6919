/**
 * Append throughput on both adapters (not a test: timings depend on the machine).
 * Run: node --import tsx test/audit/measure-appends.ts
 * Modes: one append per transaction sequentially; 16 concurrent appenders (contending on the head
 * lock); the batching buffer (one transaction per 100 entries).
 */
import { databaseFactories } from '../support/databases.js';
import { createAuditLog, type AuditLog } from '../../src/audit/audit-log.js';
import { createAuditBuffer } from '../../src/audit/audit-buffer.js';
import type { AuditEntryInput } from '../../src/audit/entry.js';

const entry = (i: number): AuditEntryInput => ({
  requestId: `req-${i}`,
  actor: 'key_bench',
  userId: `user-${i % 50}`,
  action: 'model.request',
  resource: 'gpt-4o-mini',
  outcome: 'success',
  details: { inputTokens: 120, outputTokens: 40, costUsd: 0.00012, latencyMs: 230 },
  content: { prompt: [{ role: 'user', content: `question ${i}` }], response: `answer ${i}` },
});

async function rate(n: number, run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return Math.round((n / (performance.now() - t0)) * 1000);
}

for (const factory of databaseFactories) {
  const { db, dispose } = await factory.open();
  try {
    const log: AuditLog = await createAuditLog({ db });
    let i = 0;
    const sequential = await rate(500, async () => {
      for (let k = 0; k < 500; k++) await log.append(entry(i++));
    });
    const concurrent = await rate(1024, async () => {
      const lanes = Array.from({ length: 16 }, async () => {
        for (let k = 0; k < 1024 / 16; k++) await log.append(entry(i++));
      });
      await Promise.all(lanes);
    });
    const buffer = createAuditBuffer(log, { maxBatch: 100, maxDelayMs: 5 });
    const buffered = await rate(5000, async () => {
      await Promise.all(Array.from({ length: 5000 }, () => buffer.append(entry(i++), { awaitDurable: true })));
    });
    const report = await log.verify();
    console.log(
      JSON.stringify({ adapter: factory.name, sequentialPerSec: sequential, concurrent16PerSec: concurrent, bufferedPerSec: buffered, verifyOk: report.ok, entries: report.entriesChecked }),
    );
  } finally {
    await dispose();
  }
}
