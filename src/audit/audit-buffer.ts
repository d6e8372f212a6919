/**
 * Batching appender for the gateway hot path: appends queue in memory and are written together,
 * one transaction per batch, when `maxBatch` entries are waiting or `maxDelayMs` after the first.
 * While a batch is being written, new entries wait for it and then go together in the next one
 * (group commit), so under load the number of transactions falls instead of the queue growing.
 *
 * Durability trade-off: an entry still in the buffer when the process dies (SIGKILL, OOM, power)
 * is lost. `append(entry)` returns at once, before the write; use `append(entry, { awaitDurable:
 * true })`, which resolves with the stored entry after its batch committed, when the caller must
 * not acknowledge (e.g. answer the HTTP request) before the audit entry is on disk. Entries carry
 * their requestId, so a client retry after a crash re-appends idempotently. A batch that fails is
 * not retried: awaiting callers get the error, the others are reported to `onError`.
 */
import { hashContentValue, type AuditEntry, type AuditEntryInput } from './entry.js';
import type { AuditLog } from './audit-log.js';

export interface AuditBufferOptions {
  /**
   * Most entries per transaction (default 1000). A transaction has a fixed cost of a few statements
   * (about a millisecond of CPU each on the embedded WASM PostgreSQL), so under load, when entries
   * pile up while the previous batch is written, the next batch takes them all at once.
   */
  maxBatch?: number;
  /** Longest an entry waits before its batch is written (default 10 ms). */
  maxDelayMs?: number;
  /** Called with a failed batch's error and its entries that had no awaiting caller. */
  onError?: (err: unknown, lost: readonly AuditEntryInput[]) => void;
}

export interface AuditBuffer {
  /** Resolves after the entry's batch committed, with the stored entry. */
  append(entry: AuditEntryInput, options: { awaitDurable: true }): Promise<AuditEntry>;
  /** Queues the entry and returns at once; it is written within `maxDelayMs`. */
  append(entry: AuditEntryInput, options?: { awaitDurable?: false }): void;
  /** Writes everything queued so far; resolves when it is committed (or failed). */
  flush(): Promise<void>;
  /** Flushes, then refuses further appends. */
  close(): Promise<void>;
  /** Entries queued and not yet committed. */
  readonly pending: number;
}

interface Waiting {
  entry: AuditEntryInput;
  resolve?: (stored: AuditEntry) => void;
  reject?: (err: unknown) => void;
}

/**
 * For a log that keeps only the hash of content, the entry with the hash instead of the content:
 * it then waits for its batch without holding the prompt and response (the request's whole message
 * list) alive, which a young-generation GC would otherwise copy and promote. Same hash either way.
 */
function withoutHashedContent(log: AuditLog, entry: AuditEntryInput): AuditEntryInput {
  if (entry.content === undefined || log.contentMode !== 'hash') return entry;
  let contentHash: string;
  try {
    contentHash = hashContentValue(entry.content);
  } catch {
    return entry; // content with no JSON form: the batch refuses it, as it always did
  }
  const { content: _content, ...rest } = entry;
  rest.contentHash = contentHash;
  return rest;
}

export function createAuditBuffer(log: AuditLog, options: AuditBufferOptions = {}): AuditBuffer {
  const maxBatch = Math.max(1, options.maxBatch ?? 1000);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? 10);
  let queue: Waiting[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // Group commit: one batch is written at a time (so the chain order follows the append order), and
  // whatever queued up meanwhile goes in the next batch, whole, instead of as many small ones.
  let writing: Promise<void> | undefined;
  // When the oldest queued entry arrived (performance.now()), and how many queued entries have a
  // caller awaiting their commit.
  let oldestAt = 0;
  let durableQueued = 0;
  // Callers of flush() / close() waiting: then nothing is deferred.
  let flushing = 0;

  function schedule(): void {
    if (queue.length >= maxBatch) {
      void drain();
    } else if (timer === undefined && writing === undefined) {
      timer = setTimeout(() => void drain(), maxDelayMs);
    }
  }

  function drain(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (writing === undefined) {
      if (queue.length === 0) return Promise.resolve();
      writing = pump();
    }
    return writing;
  }

  /**
   * Writes batches until the queue is empty, including entries appended while a batch was written
   * (or until the rest only has to be written later: see below).
   */
  async function pump(): Promise<void> {
    try {
      while (queue.length > 0) {
        let batch: Waiting[];
        if (queue.length <= maxBatch) {
          batch = queue;
          queue = [];
        } else {
          // The rest keeps `oldestAt`: it is older still, so it goes without waiting.
          batch = queue.slice(0, maxBatch);
          queue = queue.slice(maxBatch);
        }
        for (const w of batch) if (w.resolve !== undefined) durableQueued--;
        inFlight += batch.length;
        await writeBatch(batch);
        // Entries that arrived during the write and that nobody awaits wait out their own
        // maxDelayMs, like the first batch did, instead of going at once as a small batch: each
        // transaction has a fixed cost, and nobody gains from writing them sooner. Awaited entries
        // (group commit) and a full batch still go at once.
        if (queue.length > 0 && queue.length < maxBatch && durableQueued === 0 && flushing === 0) {
          const wait = oldestAt + maxDelayMs - performance.now();
          if (wait > 0) {
            timer = setTimeout(() => void drain(), wait);
            break;
          }
        }
      }
    } finally {
      writing = undefined;
    }
  }

  async function writeBatch(batch: Waiting[]): Promise<void> {
    try {
      const stored = await log.appendMany(batch.map((w) => w.entry));
      batch.forEach((w, i) => w.resolve?.(stored[i]!));
    } catch (err) {
      for (const w of batch) w.reject?.(err);
      const lost = batch.filter((w) => w.reject === undefined).map((w) => w.entry);
      if (lost.length > 0) options.onError?.(err, lost);
    } finally {
      inFlight -= batch.length;
    }
  }

  async function flush(): Promise<void> {
    flushing++;
    try {
      await drain();
    } finally {
      flushing--;
    }
  }

  function append(entry: AuditEntryInput, opts: { awaitDurable: true }): Promise<AuditEntry>;
  function append(entry: AuditEntryInput, opts?: { awaitDurable?: false }): void;
  function append(entry: AuditEntryInput, opts?: { awaitDurable?: boolean }): Promise<AuditEntry> | void {
    if (closed) throw new Error('audit buffer is closed');
    if (queue.length === 0) oldestAt = performance.now();
    entry = withoutHashedContent(log, entry);
    if (opts?.awaitDurable === true) {
      return new Promise<AuditEntry>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        durableQueued++;
        schedule();
      });
    }
    queue.push({ entry });
    schedule();
  }

  return {
    append,
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get pending() {
      return queue.length + inFlight;
    },
  };
}
