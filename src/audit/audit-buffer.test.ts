import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuditBuffer } from './audit-buffer.js';
import type { AuditLog } from './audit-log.js';
import { computeContentHash, type AuditContent, type AuditEntry, type AuditEntryInput } from './entry.js';

/** A log that records batch sizes and fails when told to; only appendMany is used by the buffer. */
function fakeLog(failing: { now: boolean }): { log: AuditLog; batches: number[] } {
  const batches: number[] = [];
  let seq = 0;
  const appendMany = async (entries: readonly AuditEntryInput[]): Promise<AuditEntry[]> => {
    await new Promise((r) => setTimeout(r, 1));
    if (failing.now) throw new Error('database down');
    batches.push(entries.length);
    return entries.map((e) => ({ seq: ++seq, action: e.action }) as AuditEntry);
  };
  return { log: { appendMany } as unknown as AuditLog, batches };
}

test('buffer writes full batches at maxBatch and the rest after maxDelayMs, in order', async () => {
  const { log, batches } = fakeLog({ now: false });
  const buffer = createAuditBuffer(log, { maxBatch: 4, maxDelayMs: 20 });
  const durable = Array.from({ length: 10 }, (_, i) => buffer.append({ actor: 'a', action: `x${i}`, outcome: 'success' }, { awaitDurable: true }));
  const stored = await Promise.all(durable);
  assert.deepEqual(stored.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(batches, [4, 4, 2]);
  assert.equal(buffer.pending, 0);
});

test('a failed batch rejects durable appends and reports fire-and-forget ones to onError', async () => {
  const failing = { now: true };
  const lost: string[] = [];
  const { log } = fakeLog(failing);
  const buffer = createAuditBuffer(log, { maxBatch: 10, maxDelayMs: 1, onError: (_err, entries) => lost.push(...entries.map((e) => e.action)) });
  buffer.append({ actor: 'a', action: 'queued', outcome: 'success' });
  await assert.rejects(buffer.append({ actor: 'a', action: 'waited', outcome: 'success' }, { awaitDurable: true }), /database down/);
  assert.deepEqual(lost, ['queued']);
  failing.now = false;
  const ok = await buffer.append({ actor: 'a', action: 'after', outcome: 'success' }, { awaitDurable: true });
  assert.equal(ok.action, 'after');
});

test('entries nobody awaits, queued during a write, wait out maxDelayMs and go as one batch', async () => {
  const batches: string[][] = [];
  const appendMany = async (entries: readonly AuditEntryInput[]): Promise<AuditEntry[]> => {
    await new Promise((r) => setTimeout(r, 40));
    batches.push(entries.map((e) => e.action));
    return entries.map((e, i) => ({ seq: i + 1, action: e.action }) as AuditEntry);
  };
  const buffer = createAuditBuffer({ appendMany } as unknown as AuditLog, { maxBatch: 100, maxDelayMs: 100 });
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  buffer.append({ actor: 'a', action: 'first', outcome: 'success' });
  await sleep(120); // the first batch is being written (100 ms delay, 40 ms write)
  buffer.append({ actor: 'a', action: 'during-1', outcome: 'success' });
  await sleep(40); // the write is over; during-1 is 40 ms old and must not go alone yet
  assert.deepEqual(batches, [['first']]);
  buffer.append({ actor: 'a', action: 'after-1', outcome: 'success' });
  await buffer.flush();
  assert.deepEqual(batches, [['first'], ['during-1', 'after-1']]);
  assert.equal(buffer.pending, 0);
  // An awaited entry still goes with the next batch at once (group commit), not after a delay.
  buffer.append({ actor: 'a', action: 'lead', outcome: 'success' });
  await sleep(120);
  const durable = buffer.append({ actor: 'a', action: 'awaited', outcome: 'success' }, { awaitDurable: true });
  const t0 = performance.now();
  await durable;
  assert.ok(performance.now() - t0 < 100, `the awaited entry waited ${performance.now() - t0} ms`);
  assert.deepEqual(batches.slice(2), [['lead'], ['awaited']]);
  await buffer.close();
});

test('with a hash-only log the buffer hashes content at append and queues no content; an encrypting log gets the content', async () => {
  const content = { prompt: [{ role: 'user', content: 'hello' }], response: 'hi there' };
  for (const contentMode of ['hash', 'encrypted'] as const) {
    const seen: AuditEntryInput[] = [];
    const appendMany = async (entries: readonly AuditEntryInput[]): Promise<AuditEntry[]> => {
      seen.push(...entries);
      return entries.map((e, i) => ({ seq: i + 1, action: e.action }) as AuditEntry);
    };
    const buffer = createAuditBuffer({ appendMany, contentMode } as unknown as AuditLog, { maxBatch: 10, maxDelayMs: 1 });
    await buffer.append({ actor: 'a', action: 'model.request', outcome: 'success', content }, { awaitDurable: true });
    const [entry] = seen;
    if (contentMode === 'hash') {
      assert.equal(entry!.content, undefined);
      assert.equal(entry!.contentHash, computeContentHash(JSON.parse(JSON.stringify(content)) as AuditContent));
    } else {
      assert.equal(entry!.content, content);
      assert.equal(entry!.contentHash, undefined);
    }
  }
});
