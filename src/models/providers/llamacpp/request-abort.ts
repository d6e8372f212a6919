/**
 * One AbortSignal per request that fires on the caller's signal, the attempt timeout or the
 * overall deadline — and remembers which, so the error says `cancelled` or `timeout` correctly.
 */
import { ConduitError } from '../../../core/errors.js';
import type { CallOptions } from '../../language-model.js';

export class RequestAbort {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reasonError: ConduitError | undefined;
  private readonly onCallerAbort = (): void => this.abort(new ConduitError('cancelled', 'The request was cancelled', { provider: 'llamacpp' }));

  constructor(private readonly options: CallOptions) {
    const { signal, attemptTimeoutMs, deadlineAt } = options;
    if (signal?.aborted) this.onCallerAbort();
    else signal?.addEventListener('abort', this.onCallerAbort, { once: true });

    const now = Date.now();
    const limits: number[] = [];
    if (attemptTimeoutMs !== undefined) limits.push(attemptTimeoutMs);
    if (deadlineAt !== undefined) limits.push(deadlineAt - now);
    if (limits.length > 0 && !this.controller.signal.aborted) {
      const ms = Math.max(0, Math.min(...limits));
      this.timer = setTimeout(() => this.abort(new ConduitError('timeout', `llamacpp: the request timed out after ${ms} ms`, { provider: 'llamacpp' })), ms);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The typed error to throw when the request was aborted, else undefined. */
  get error(): ConduitError | undefined {
    return this.reasonError;
  }

  /** Aborts the generation (used when a stream's consumer stops reading). */
  abort(error: ConduitError): void {
    if (this.controller.signal.aborted) return;
    this.reasonError = error;
    this.controller.abort(error);
  }

  throwIfAborted(): void {
    if (this.reasonError) throw this.reasonError;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** Settles with `promise`, or rejects as soon as the request is aborted (the promise keeps running). */
export function untilAborted<T>(promise: Promise<T>, abort: RequestAbort): Promise<T> {
  abort.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abort.error ?? new ConduitError('cancelled', 'The request was cancelled'));
    abort.signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        abort.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        abort.signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
