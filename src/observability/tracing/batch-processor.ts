/**
 * Batches ended spans for an exporter: a span's end is an array push; the exporter runs off the
 * request path, every `intervalMs` or as soon as `maxBatch` spans wait. A bounded queue drops the
 * oldest spans (counted) rather than growing without limit when the backend is down.
 */
import type { SpanRecord, SpanSink } from './span.js';

export interface SpanExporter {
  /** Sends or stores one batch; a rejection is logged by the processor and the batch dropped. */
  export(spans: readonly SpanRecord[]): Promise<void>;
  shutdown?(): Promise<void>;
}

export interface BatchProcessorOptions {
  /** Longest a span waits before export; default 2000 ms. */
  intervalMs?: number;
  /** Export as soon as this many spans wait; default 512. */
  maxBatch?: number;
  /** Spans kept while the exporter is slow or down; older ones are dropped beyond this. Default 10 000. */
  maxQueue?: number;
  onError?: (err: unknown) => void;
}

export class BatchSpanProcessor implements SpanSink {
  private queue: SpanRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> = Promise.resolve();
  private closed = false;
  /** Spans dropped because the queue was full. */
  dropped = 0;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BatchProcessorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.maxBatch = options.maxBatch ?? 512;
    this.maxQueue = options.maxQueue ?? 10_000;
  }

  onEnd(span: SpanRecord): void {
    if (this.closed) return;
    const queue = this.queue;
    if (queue.length >= this.maxQueue) {
      queue.shift();
      this.dropped++;
    }
    queue.push(span);
    if (queue.length >= this.maxBatch) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Exports everything queued now; resolves when that (and any earlier export) finished. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue;
    if (batch.length > 0) {
      this.queue = [];
      // Exports run one at a time, in order, so a slow backend never sees overlapping batches.
      this.exporting = this.exporting.then(() => this.exportBatches(batch));
    }
    return this.exporting;
  }

  async shutdown(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.exporter.shutdown?.();
  }

  private async exportBatches(spans: SpanRecord[]): Promise<void> {
    for (let i = 0; i < spans.length; i += this.maxBatch) {
      try {
        await this.exporter.export(spans.slice(i, i + this.maxBatch));
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }
}
