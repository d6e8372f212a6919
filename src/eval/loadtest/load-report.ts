/** The load test report for the terminal, and as JSON (`--json`). */
import type { LatencyStats, LoadTestReport } from './run-load-test.js';

export function formatLoadReport(r: LoadTestReport): string {
  const lines: string[] = [];
  const mode = r.mode.kind === 'rate' ? `fixed rate ${r.mode.requestsPerSecond} req/s for ${r.mode.durationSeconds} s (open loop)` : `fixed concurrency ${r.mode.concurrency} for ${r.mode.durationSeconds} s${r.mode.maxRequests === undefined ? '' : ` or ${r.mode.maxRequests} requests`} (closed loop)`;
  lines.push(`Load test: POST ${r.url}${r.stream ? ' (streaming)' : ''}`);
  lines.push(`mode: ${mode}`);
  lines.push(`requests: ${r.sent} sent, ${r.ok} ok, ${r.failed} failed in ${r.elapsedSeconds.toFixed(2)} s`);
  lines.push(`rate: ${r.sendRate.toFixed(2)} req/s sent, ${r.throughput.toFixed(2)} req/s completed${r.outputTokensPerSecond === undefined ? '' : `, ${r.outputTokensPerSecond.toFixed(1)} output tokens/s`}`);
  lines.push(`latency ms (ok): ${statsLine(r.latencyMs)}`);
  if (r.ttftMs !== undefined) lines.push(`ttft ms (ok):    ${statsLine(r.ttftMs)}`);
  const errorKeys = Object.keys(r.errors).sort();
  lines.push(`errors: ${errorKeys.length === 0 ? 'none' : errorKeys.map((k) => `${k} × ${r.errors[k]}`).join(', ')}`);
  const c = r.capacity;
  let capacity = `capacity (Little's Law L = λ·W): ${c.throughput.toFixed(2)} req/s × ${c.meanLatencySeconds.toFixed(3)} s = ${c.inFlight.toFixed(2)} requests in flight`;
  if (c.target !== undefined) capacity += `; ${c.target.rate} req/s at ${c.target.latencySeconds.toFixed(3)} s needs ${c.target.concurrency} concurrent`;
  lines.push(capacity);
  return `${lines.join('\n')}\n`;
}

function statsLine(s: LatencyStats): string {
  if (s.count === 0) return 'no successful requests';
  const f = (x: number): string => x.toFixed(1);
  return `mean ${f(s.mean)}  p50 ${f(s.p50)}  p90 ${f(s.p90)}  p95 ${f(s.p95)}  p99 ${f(s.p99)}  max ${f(s.max)}  (n=${s.count})`;
}

export function loadReportJson(r: LoadTestReport): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
