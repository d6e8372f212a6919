/**
 * Runs a load test against an OpenAI-compatible chat-completions endpoint.
 *
 * Fixed-rate mode is an open loop: request i is started at t0 + i/rate whether or not earlier ones
 * have answered, and its latency is counted from that scheduled instant, so a stalled server (or a
 * stalled client event loop) shows up in the percentiles instead of silently slowing the sender —
 * the "coordinated omission" a closed loop suffers. Fixed-concurrency mode is the closed loop, for
 * "how much can N clients push through".
 */
import { Agent } from 'undici';
import { quantileOfSorted } from '../stats/sample-summary.js';
import { estimateCapacity, type CapacityEstimate } from './little-law.js';
import { chatCompletionsUrl, DEFAULT_TIMEOUT_MS, validateLoadOptions, type LoadMode, type LoadTestOptions } from './load-options.js';
import { probe, type ProbeResult, type ProbeTarget } from './request-probe.js';

export interface LatencyStats {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadTestReport {
  url: string;
  mode: LoadMode;
  stream: boolean;
  /** Requests started. */
  sent: number;
  ok: number;
  failed: number;
  /** From the first start to the last completion. */
  elapsedSeconds: number;
  /** Completed requests (ok or not) per second over elapsedSeconds. */
  throughput: number;
  /** Started requests per second over the sending window (rate mode: the planned duration). */
  sendRate: number;
  /** Successful requests only. */
  latencyMs: LatencyStats;
  /** Streaming only: time to the first content token of successful requests. */
  ttftMs?: LatencyStats;
  /** Output tokens per second over elapsedSeconds, when the server reports usage. */
  outputTokensPerSecond?: number;
  /** `HTTP 429`, `timeout`, `ECONNREFUSED`… → count. */
  errors: Record<string, number>;
  capacity: CapacityEstimate;
}

export interface RunHooks {
  /** Called after each request completes (progress output). */
  onResult?(result: ProbeResult, done: number): void;
}

export async function runLoadTest(options: LoadTestOptions, hooks: RunHooks = {}): Promise<LoadTestReport> {
  validateLoadOptions(options);
  const url = chatCompletionsUrl(options.url);
  // Unlimited connections per origin: an open loop must never queue behind a connection cap.
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: null });
  const target: ProbeTarget = {
    url,
    body: JSON.stringify({
      model: options.model,
      messages: [{ role: 'user', content: options.prompt }],
      ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
      ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
    headers: { 'content-type': 'application/json', ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }) },
    stream: options.stream,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    dispatcher,
  };
  const results: ProbeResult[] = [];
  const record = (r: ProbeResult): void => {
    results.push(r);
    hooks.onResult?.(r, results.length);
  };
  const t0 = performance.now();
  let sendWindowMs: number;
  try {
    if (options.mode.kind === 'rate') {
      sendWindowMs = options.mode.durationSeconds * 1000;
      await openLoop(target, options.mode.requestsPerSecond, options.mode.durationSeconds, t0, record);
    } else {
      await closedLoop(target, options.mode.concurrency, options.mode.durationSeconds, options.mode.maxRequests, t0, record);
      sendWindowMs = performance.now() - t0;
    }
  } finally {
    await dispatcher.close();
  }
  const elapsedSeconds = (performance.now() - t0) / 1000;
  return buildReport(options, url, results, elapsedSeconds, sendWindowMs / 1000);
}

async function openLoop(target: ProbeTarget, rate: number, durationSeconds: number, t0: number, record: (r: ProbeResult) => void): Promise<void> {
  const total = Math.max(1, Math.round(rate * durationSeconds));
  const intervalMs = 1000 / rate;
  const inFlight: Promise<void>[] = [];
  let i = 0;
  while (i < total) {
    const now = performance.now();
    // Start every request whose time has come — several at once if the timer woke late.
    while (i < total && t0 + i * intervalMs <= now) {
      const scheduled = t0 + i * intervalMs;
      inFlight.push(probe(target, scheduled).then(record));
      i++;
    }
    if (i < total) await sleep(t0 + i * intervalMs - performance.now());
  }
  await Promise.all(inFlight);
}

async function closedLoop(target: ProbeTarget, concurrency: number, durationSeconds: number, maxRequests: number | undefined, t0: number, record: (r: ProbeResult) => void): Promise<void> {
  const end = t0 + durationSeconds * 1000;
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end && (maxRequests === undefined || issued < maxRequests)) {
      issued++;
      record(await probe(target, performance.now()));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function buildReport(options: LoadTestOptions, url: URL, results: readonly ProbeResult[], elapsedSeconds: number, sendWindowSeconds: number): LoadTestReport {
  const okResults = results.filter((r) => r.error === undefined);
  const errors: Record<string, number> = {};
  for (const r of results) if (r.error !== undefined) errors[r.error] = (errors[r.error] ?? 0) + 1;
  const ttfts = okResults.flatMap((r) => (r.ttftMs === undefined ? [] : [r.ttftMs]));
  const tokens = okResults.flatMap((r) => (r.outputTokens === undefined ? [] : [r.outputTokens]));
  const throughput = results.length / elapsedSeconds;
  const meanLatencyAll = results.length === 0 ? 0 : results.reduce((s, r) => s + r.latencyMs, 0) / results.length / 1000;
  return {
    url: url.toString(),
    mode: options.mode,
    stream: options.stream,
    sent: results.length,
    ok: okResults.length,
    failed: results.length - okResults.length,
    elapsedSeconds,
    throughput,
    sendRate: results.length / sendWindowSeconds,
    latencyMs: latencyStats(okResults.map((r) => r.latencyMs)),
    ...(options.stream ? { ttftMs: latencyStats(ttfts) } : {}),
    ...(tokens.length === 0 ? {} : { outputTokensPerSecond: tokens.reduce((s, x) => s + x, 0) / elapsedSeconds }),
    errors,
    // Every completed request occupied the server, failed ones included: λ and W over all of them.
    capacity: estimateCapacity(throughput, meanLatencyAll, {
      ...(options.targetRate === undefined ? {} : { rate: options.targetRate }),
      ...(options.targetLatencyMs === undefined ? {} : { latencySeconds: options.targetLatencyMs / 1000 }),
    }),
  };
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number): number => quantileOfSorted(sorted, p);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sorted.reduce((s, x) => s + x, 0) / sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: q(0.5),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
