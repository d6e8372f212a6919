/**
 * Latency at a fixed request rate (open loop, see open-loop.ts): a short warm-up at the same rate,
 * then the measured window.
 */
import type { TargetClient } from './client.js';
import { runOpenLoop } from './open-loop.js';
import { summarize, type LatencySummary } from './stats.js';

export interface FixedRateResult {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  errorExamples: string[];
  /** Latency from due time to last byte, in ms. */
  latency: LatencySummary;
  /** Achieved answer rate over the window (ok / elapsed). */
  achievedRps: number;
  meanDispatchLagMs: number;
  maxDispatchLagMs: number;
  /** Summary of x-conduit-overhead-ms over the responses that carried it (absent otherwise). */
  overhead?: LatencySummary & { responsesWithHeader: number };
}

export async function measureFixedRate(
  client: TargetClient,
  opts: { rate: number; durationSec: number; warmupSec: number },
): Promise<FixedRateResult> {
  const fire = async (dueAt: number, signal: AbortSignal) => {
    const s = await client.chat(dueAt, signal);
    return { latencyMs: s.latencyMs, overheadMs: s.overheadMs };
  };
  if (opts.warmupSec > 0) {
    await runOpenLoop({ rate: opts.rate, count: Math.max(1, Math.round(opts.rate * opts.warmupSec)), graceMs: 5000, fire, onDeadline: () => client.reset() });
  }
  const count = Math.max(1, Math.round(opts.rate * opts.durationSec));
  const r = await runOpenLoop({ rate: opts.rate, count, graceMs: 10_000, fire, onDeadline: () => client.reset() });
  const overheads = r.samples.map((s) => s.overheadMs).filter((v): v is number => v !== undefined);
  const result: FixedRateResult = {
    rate: opts.rate,
    sent: count,
    ok: r.samples.length,
    errors: r.errors,
    errorExamples: r.errorExamples,
    latency: summarize(r.samples.map((s) => s.latencyMs)),
    achievedRps: r.samples.length / (r.elapsedMs / 1000),
    meanDispatchLagMs: r.meanDispatchLagMs,
    maxDispatchLagMs: r.maxDispatchLagMs,
  };
  if (overheads.length > 0) result.overhead = { ...summarize(overheads), responsesWithHeader: overheads.length };
  return result;
}
