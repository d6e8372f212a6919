/**
 * Streaming time-to-first-token: streamed requests at a low fixed rate (so requests rarely
 * overlap and the figure is the path's own delay, not queueing), timed to the first SSE event
 * that carries content.
 */
import type { TargetClient } from './client.js';
import { runOpenLoop } from './open-loop.js';
import { summarize, type LatencySummary } from './stats.js';

export interface TtftResult {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  errorExamples: string[];
  ttft: LatencySummary;
  total: LatencySummary;
  /** Streams whose text did not match the upstream's, or that ended without [DONE]. */
  malformed: number;
}

export async function measureTtft(
  client: TargetClient,
  opts: { rate: number; count: number; warmupCount: number; expectedText: string },
): Promise<TtftResult> {
  const fire = (dueAt: number, signal: AbortSignal) => client.stream(dueAt, signal);
  if (opts.warmupCount > 0) await runOpenLoop({ rate: opts.rate, count: opts.warmupCount, graceMs: 5000, fire, onDeadline: () => client.reset() });
  const r = await runOpenLoop({ rate: opts.rate, count: opts.count, graceMs: 10_000, fire, onDeadline: () => client.reset() });
  return {
    rate: opts.rate,
    sent: opts.count,
    ok: r.samples.length,
    errors: r.errors,
    errorExamples: r.errorExamples,
    ttft: summarize(r.samples.map((s) => s.ttftMs)),
    total: summarize(r.samples.map((s) => s.totalMs)),
    malformed: r.samples.filter((s) => s.text !== opts.expectedText || !s.sawDone).length,
  };
}
