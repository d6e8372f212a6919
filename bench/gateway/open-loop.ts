/**
 * Open-loop load: request i is due at start + i / rate and is sent then, whether or not earlier
 * requests have been answered. Latency is measured from the DUE time, not from the moment the
 * request left, so a server (or client) that falls behind pays for the queue it builds instead of
 * silently slowing the sender down ("coordinated omission"). The run is bounded twice: by the
 * request count and by a hard deadline after which unfinished requests are aborted and counted
 * as errors.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface OpenLoopOptions<S> {
  /** Requests per second. */
  rate: number;
  /** Total requests to send. */
  count: number;
  /** Extra time after the last due time before unfinished requests are aborted. */
  graceMs: number;
  /** Sends one request that was due at `dueAt` (performance.now() clock) and measures it. */
  fire: (dueAt: number, signal: AbortSignal) => Promise<S>;
  /** Called once when the deadline passes with requests unfinished (e.g. to drop a client's queue). */
  onDeadline?: () => Promise<void>;
}

export interface OpenLoopResult<S> {
  samples: S[];
  errors: number;
  /** A few distinct error messages, for the report. */
  errorExamples: string[];
  /** Mean and largest delay between a due time and the moment the request was handed to the client. */
  meanDispatchLagMs: number;
  maxDispatchLagMs: number;
  elapsedMs: number;
}

export async function runOpenLoop<S>(opts: OpenLoopOptions<S>): Promise<OpenLoopResult<S>> {
  const intervalMs = 1000 / opts.rate;
  const controller = new AbortController();
  // Every in-flight request listens on this one signal; hundreds may be in flight at once.
  setMaxListeners(0, controller.signal);
  const samples: S[] = [];
  const errorExamples = new Set<string>();
  let errors = 0;
  let maxDispatchLagMs = 0;
  let sumDispatchLagMs = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now() + 2;
  const lastDue = start + (opts.count - 1) * intervalMs;
  let deadlineWork: Promise<void> | undefined;
  const abortTimer = setTimeout(() => {
    controller.abort(new Error('deadline passed'));
    if (opts.onDeadline) deadlineWork = opts.onDeadline().catch(() => undefined);
  }, lastDue - performance.now() + opts.graceMs);

  const launch = (dueAt: number): void => {
    const p = opts.fire(dueAt, controller.signal).then(
      (s) => { samples.push(s); },
      (err: unknown) => {
        errors++;
        if (errorExamples.size < 5) errorExamples.add(err instanceof Error ? err.message : String(err));
      },
    ).finally(() => { inFlight.delete(p); });
    inFlight.add(p);
  };

  let next = 0;
  while (next < opts.count && !controller.signal.aborted) {
    const now = performance.now();
    // Send everything that is due; timers fire late on a busy machine, so several may be due.
    while (next < opts.count) {
      const dueAt = start + next * intervalMs;
      if (dueAt > now) break;
      maxDispatchLagMs = Math.max(maxDispatchLagMs, now - dueAt);
      sumDispatchLagMs += now - dueAt;
      launch(dueAt);
      next++;
    }
    if (next < opts.count) {
      // Node timers have 1 ms resolution; sleeping (rather than spinning on setImmediate) keeps
      // the load generator from eating a core of this 2-core machine. The cost is up to ~1 ms of
      // dispatch lag, which lands on every target alike and is reported (meanDispatchLagMs).
      const wait = start + next * intervalMs - performance.now();
      await sleep(Math.max(1, Math.floor(wait)));
    }
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  clearTimeout(abortTimer);
  if (deadlineWork) await deadlineWork;
  // Requests never launched because the deadline passed count as errors too.
  if (next < opts.count) {
    errors += opts.count - next;
    errorExamples.add('not sent: deadline passed');
  }
  return {
    samples,
    errors,
    errorExamples: [...errorExamples],
    meanDispatchLagMs: next > 0 ? sumDispatchLagMs / next : 0,
    maxDispatchLagMs,
    elapsedMs: performance.now() - start,
  };
}
