/**
 * lastUsedAt without a write per request: authenticate only notes the time in memory, and a timer
 * writes all the notes in one UPDATE every `flushIntervalMs`. So each key costs at most one write
 * per interval per replica, and lastUsedAt lags by up to the interval (or is lost for the last
 * interval on a crash, which is acceptable for an informational field).
 */
import type { SqlExecutor } from '../store/sql.js';
import { touchKeys } from './key-repository.js';

export class LastUsedTracker {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: SqlExecutor,
    flushIntervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    if (flushIntervalMs > 0) {
      this.timer = setInterval(() => void this.flush().catch(this.onError), flushIntervalMs);
      // Never keep a process alive just to record lastUsedAt.
      this.timer.unref();
    }
  }

  mark(id: string, now: number): void {
    const prev = this.pending.get(id);
    if (prev === undefined || now > prev) this.pending.set(id, now);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes everything noted so far. A failed write keeps the notes for the next flush. */
  async flush(): Promise<void> {
    if (this.flushing !== undefined) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = touchKeys(this.db, batch)
      .catch((err: unknown) => {
        for (const [id, ms] of batch) this.mark(id, ms);
        throw err;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
