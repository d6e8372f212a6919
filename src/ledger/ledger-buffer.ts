/**
 * Group commit for the hot path: events are collected and written with one `recordMany` per batch
 * (when `maxBatch` events are waiting or `maxDelayMs` after the first one), instead of one INSERT
 * per request.
 *
 * Durability trade-off — choose with `awaitDurable`:
 * - `true`: `record()` resolves only once the batch holding the event is committed (and rejects if
 *   that write fails). A response sent after awaiting it survives SIGKILL of the process; the cost
 *   is up to `maxDelayMs` of added latency for that await, not for throughput.
 * - `false`: `record()` resolves at once. Events still in memory when the process is SIGKILLed —
 *   at most `maxBatch` events, written no later than `maxDelayMs` after they arrived, plus any that
 *   are being retried after a failed write — are LOST. SIGTERM is safe: call `close()`, which flushes.
 * Either way nothing is duplicated: writes are idempotent by requestId, so a batch retried after
 * a failure whose commit actually succeeded is a no-op.
 */
import { toConduitError } from '../core/errors.js';
import type { UsageEvent } from './usage-event.js';
import type { UsageLedger } from './usage-ledger.js';

export interface LedgerBufferOptions {
  /** Write as soon as this many events are waiting (default 200). */
  maxBatch?: number;
  /** Write at most this long after the oldest waiting event arrived (default 50 ms). */
  maxDelayMs?: number;
  /** See the module comment (default true). */
  awaitDurable?: boolean;
  /**
   * Without awaitDurable, failed batches stay queued and are retried on the next flush; beyond this
   * many queued events the oldest are dropped and reported to onError (default 100,000).
   */
  maxQueued?: number;
  /** Write failures and drops, for logs and metrics (the request has already been answered). */
  onError?: (err: unknown, droppedEvents: number) => void;
}

export interface LedgerBuffer {
  /** Queues an event; see awaitDurable for when the promise resolves. */
  record(event: UsageEvent): Promise<void>;
  /** Writes everything queued now; resolves when it is written (rejects if the write fails). */
  flush(): Promise<void>;
  /** Flushes and stops the timer; later record() calls write directly. */
  close(): Promise<void>;
  /** Events queued and not yet written. */
  readonly pending: number;
}

const RETRY_DELAY_MS = 1000;

interface Pending {
  event: UsageEvent;
  settle?: { resolve(): void; reject(err: unknown): void };
}

export function createLedgerBuffer(ledger: UsageLedger, options: LedgerBufferOptions = {}): LedgerBuffer {
  const maxBatch = Math.max(1, options.maxBatch ?? 200);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 50);
  const awaitDurable = options.awaitDurable ?? true;
  const maxQueued = Math.max(maxBatch, options.maxQueued ?? 100_000);
  const onError = options.onError ?? (() => {});

  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  function schedule(): void {
    if (queue.length >= maxBatch) {
      void write(false).catch(() => {});
    } else if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        void write(false).catch(() => {});
      }, maxDelayMs);
      // Not unref'd: someone may be awaiting a durable record, and the wait is at most maxDelayMs.
    }
  }

  // After a failed write, try again later even if no new event arrives to trigger a flush.
  function retryLater(): void {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush().catch(() => {});
    }, Math.max(maxDelayMs, RETRY_DELAY_MS));
    timer.unref();
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    try {
      await ledger.recordMany(batch.map((p) => p.event));
      for (const p of batch) p.settle?.resolve();
    } catch (err) {
      const error = toConduitError(err);
      const waiting = batch.filter((p) => p.settle !== undefined);
      for (const p of waiting) p.settle!.reject(error);
      // Fire-and-forget events have nobody to tell: keep them for the next flush.
      const retained = batch.filter((p) => p.settle === undefined);
      queue = [...retained, ...queue];
      const overflow = queue.length - maxQueued;
      if (overflow > 0) queue.splice(0, overflow);
      onError(error, Math.max(0, overflow));
      if (retained.length > 0) retryLater();
      throw error;
    }
  }

  /**
   * Writes what is queued. `all` (flush(), close()) drains the queue; a timer- or size-triggered
   * write without awaitDurable writes full batches only and leaves a remainder that arrived during
   * the write to its own window: nobody waits for those events, and writing them at once as a
   * small batch would pay a statement's fixed cost (large on embedded PGlite) for a few rows.
   */
  function write(all: boolean): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    // Serialised: one write at a time, so batches commit in arrival order.
    const next = writing.then(async () => {
      let first = true;
      while (queue.length > 0 && (all || awaitDurable || first || queue.length >= maxBatch)) {
        first = false;
        const batch = queue.splice(0, maxBatch);
        await writeBatch(batch);
      }
      if (queue.length > 0 && !closed) schedule();
    });
    writing = next.catch(() => {});
    return next;
  }

  function flush(): Promise<void> {
    return write(true);
  }

  return {
    record(event) {
      if (closed) return ledger.record(event).then(() => undefined);
      if (awaitDurable) {
        return new Promise<void>((resolve, reject) => {
          queue.push({ event, settle: { resolve, reject } });
          schedule();
        });
      }
      queue.push({ event });
      schedule();
      return Promise.resolve();
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get pending() {
      return queue.length;
    },
  };
}
