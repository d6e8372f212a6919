/**
 * Time, injectable. Reliability code reads the time and sleeps only through a Clock so tests can
 * run backoff, deadlines and breaker cooldowns deterministically, without waiting.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** A clock whose time only moves when told to; `sleep` advances it instantly and records the wait. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Every duration passed to `sleep`, in order. */
  readonly sleeps: number[];
}

export function createManualClock(startMs = 1_000_000): ManualClock {
  let current = startMs;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleeps,
    advance(ms) {
      current += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      current += Math.max(0, ms);
    },
  };
}
