/**
 * Recorded reliability per tool: success rate and latency percentiles over a sliding window of the
 * most recent calls. The agent loop records every executed call (validation failures and refusals
 * are the model's errors, not the tool's, so they are not counted). One tracker is usually shared
 * by every run of a process, so the numbers describe the tool, not one run.
 */

export interface ToolReliabilityStats {
  tool: string;
  /** Calls recorded in the window. */
  calls: number;
  successes: number;
  failures: number;
  /** successes / calls; 1 when nothing is recorded yet. */
  successRate: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  /** Calls that needed a retry to succeed or fail. */
  retriedCalls: number;
}

interface Sample {
  ok: boolean;
  latencyMs: number;
  attempts: number;
}

export class ToolReliability {
  private readonly samples = new Map<string, Sample[]>();

  /** `window`: how many recent calls per tool are kept (default 500). */
  constructor(private readonly window = 500) {}

  record(tool: string, outcome: { ok: boolean; latencyMs: number; attempts?: number }): void {
    let list = this.samples.get(tool);
    if (list === undefined) this.samples.set(tool, (list = []));
    list.push({ ok: outcome.ok, latencyMs: outcome.latencyMs, attempts: outcome.attempts ?? 1 });
    if (list.length > this.window) list.splice(0, list.length - this.window);
  }

  stats(tool: string): ToolReliabilityStats {
    const list = this.samples.get(tool) ?? [];
    const successes = list.filter((s) => s.ok).length;
    const latencies = list.map((s) => s.latencyMs).sort((a, b) => a - b);
    return {
      tool,
      calls: list.length,
      successes,
      failures: list.length - successes,
      successRate: list.length === 0 ? 1 : successes / list.length,
      p50LatencyMs: percentile(latencies, 0.5),
      p95LatencyMs: percentile(latencies, 0.95),
      retriedCalls: list.filter((s) => s.attempts > 1).length,
    };
  }

  /** Stats of every tool that has recorded calls, by name. */
  all(): ToolReliabilityStats[] {
    return [...this.samples.keys()].sort().map((name) => this.stats(name));
  }
}

/** Nearest-rank percentile of sorted values; 0 for none. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}
