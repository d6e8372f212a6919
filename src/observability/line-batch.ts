/**
 * Log lines gathered into batches before they reach pino's asynchronous stdout destination.
 *
 * Why not sonic-boom's own `minLength` buffering: it appends each line to one growing string and
 * asks `Buffer.byteLength` of that string on every write, which flattens it each time: about 4 KB
 * copied and allocated per request line at 8 KiB batches (measured in the gateway's allocation
 * profile as the largest single allocator of a request). Here lines go into an array and are
 * joined once per batch.
 */
import type { DestinationStream } from 'pino';

/** The part of pino's SonicBoom destination a batch needs. */
export interface FlushableDestination extends DestinationStream {
  flushSync(): void;
}

export class LineBatch implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly target: FlushableDestination,
    /** A batch is handed on once it holds this many UTF-16 characters. */
    private readonly minChars = 8192,
  ) {
    PENDING_AT_EXIT.add(this);
    registerExitHooks();
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.minChars) this.flush();
  }

  /** Hands the gathered lines to the destination (which writes them asynchronously). */
  flush(): void {
    const n = this.lines.length;
    if (n === 0) return;
    const batch = n === 1 ? this.lines[0]! : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.target.write(batch);
  }

  /** Writes everything, gathered and buffered, before returning (process exit). */
  flushSync(): void {
    this.flush();
    this.target.flushSync();
  }
}

const PENDING_AT_EXIT = new Set<LineBatch>();
let hooksRegistered = false;

/**
 * One pair of process hooks for every batch. Prepended, so they run before pino's own exit hook
 * (which flushes, and on `beforeExit` ends, the destination): the batch must be in the
 * destination by then.
 */
function registerExitHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  process.prependListener('beforeExit', () => {
    for (const batch of PENDING_AT_EXIT) batch.flush();
  });
  process.prependListener('exit', () => {
    for (const batch of PENDING_AT_EXIT) {
      try {
        batch.flushSync();
      } catch {
        // A destination already closed (EPIPE) has nowhere to write.
      }
    }
  });
}
