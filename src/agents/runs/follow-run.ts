/**
 * Streams a run's events from the store as they are written: yields everything after `afterSeq`,
 * then polls for more until the run ends or pauses for approval. Works across processes (a client
 * can follow a run another replica is executing), at the cost of the poll interval.
 */
import { isTerminalStatus, type RunEvent } from './run-event.js';
import type { RunStore } from './run-store.js';

export interface FollowRunOptions {
  afterSeq?: number;
  /** Default 200 ms. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Keep following through pauses (until a terminal status); default false: stop at `awaiting_approval`. */
  throughPauses?: boolean;
}

export async function* followRun(store: RunStore, runId: string, options: FollowRunOptions = {}): AsyncGenerator<RunEvent> {
  let after = options.afterSeq ?? -1;
  const pollMs = options.pollMs ?? 200;
  for (;;) {
    if (options.signal?.aborted) return;
    // Read the status before the events: events written after this read are picked up next round.
    const run = await store.getRun(runId);
    if (run === undefined) return;
    const events = await store.listEvents(runId, { afterSeq: after });
    for (const e of events) {
      after = e.seq;
      yield e;
    }
    const settled = isTerminalStatus(run.status) || (run.status === 'awaiting_approval' && options.throughPauses !== true);
    if (settled && events.length === 0) return;
    if (settled) continue;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
