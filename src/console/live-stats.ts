/**
 * Live numbers for the console's overview, derived from the gateway's own counters: the sampler
 * reads GatewayMetrics once a second into a short ring, and a window's figures are differences
 * between two samples (requests/s, error rate) or quantiles of the histogram buckets filled in
 * between (p50/p95 latency and time to first token, interpolated inside a bucket as Prometheus'
 * `histogram_quantile` does). Nothing is added to the request path.
 */
import type { GatewayMetrics } from '../observability/metrics.js';

export interface MetricsSample {
  /** Epoch ms. */
  t: number;
  requests: number;
  /** Requests answered with a status of 400 or more (refusals included: the caller did not get an answer). */
  errors: number;
  active: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Cumulative bucket counts by upper bound (seconds); the last bound is +Infinity. */
  latency: Bucket[];
  ttft: Bucket[];
}

interface Bucket {
  le: number;
  count: number;
}

export interface WindowStats {
  windowSeconds: number;
  requestsPerSecond: number;
  /** 0..1; null with no requests in the window. */
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  /** Extrapolated from the window to an hour. */
  tokensPerHour: number;
  costPerHourUsd: number;
}

export interface LiveTotals {
  requests: number;
  errors: number;
  active: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface LiveStats {
  /** Takes a sample now (the timer does this every interval; tests call it directly). */
  sample(): Promise<MetricsSample>;
  window(seconds: number): WindowStats;
  totals(): LiveTotals;
  /** Requests/s between consecutive samples, oldest first, for a sparkline. */
  series(points: number): { t: number; requestsPerSecond: number; errorRate: number | null }[];
  close(): void;
}

export interface LiveStatsOptions {
  metrics: GatewayMetrics;
  /** Sampling interval; default 1000 ms. 0: no timer (sample() by hand). */
  intervalMs?: number;
  /** How long samples are kept; default 15 minutes. */
  retainMs?: number;
  now?: () => number;
}

interface PromValue {
  labels: Record<string, string | number | undefined>;
  value: number;
  metricName?: string;
}

async function metricValues(metrics: GatewayMetrics, name: string): Promise<PromValue[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return [];
  const got = (await metric.get()) as { values: PromValue[] };
  return got.values;
}

async function buckets(histogram: GatewayMetrics['requestDuration']): Promise<Bucket[]> {
  const snap = await histogram.get();
  const out: Bucket[] = [];
  for (const v of snap.values) {
    if (!v.metricName.endsWith('_bucket')) continue;
    const le = v.labels.le;
    out.push({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: v.value });
  }
  return out;
}

/** The q-quantile (0..1) of the observations between two cumulative bucket snapshots, in ms; null when none. */
export function quantileBetween(before: readonly Bucket[], after: readonly Bucket[], q: number): number | null {
  const deltas = after.map((b, i) => ({ le: b.le, count: b.count - (before[i]?.count ?? 0) }));
  const total = deltas.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const d of deltas) {
    if (d.count >= rank) {
      // Beyond the last finite bound there is no upper edge to interpolate to: report that bound.
      if (!Number.isFinite(d.le)) return lower * 1000;
      const inBucket = d.count - below;
      const frac = inBucket <= 0 ? 1 : (rank - below) / inBucket;
      return (lower + (d.le - lower) * frac) * 1000;
    }
    below = d.count;
    lower = d.le;
  }
  return lower * 1000;
}

export function createLiveStats(options: LiveStatsOptions): LiveStats {
  const { metrics } = options;
  const now = options.now ?? Date.now;
  const retainMs = options.retainMs ?? 15 * 60_000;
  const samples: MetricsSample[] = [];
  let inFlight: Promise<MetricsSample> | undefined;

  async function read(): Promise<MetricsSample> {
    const [requestValues, tokenValues, costValues, latency, ttft] = await Promise.all([
      metricValues(metrics, 'llm_requests_total'),
      metricValues(metrics, 'llm_tokens_total'),
      metricValues(metrics, 'llm_cost_usd_total'),
      buckets(metrics.requestDuration),
      buckets(metrics.timeToFirstToken),
    ]);
    let requests = 0;
    let errors = 0;
    for (const v of requestValues) {
      requests += v.value;
      if (Number(v.labels.status) >= 400) errors += v.value;
    }
    const tokens = (type: string): number => tokenValues.find((v) => v.labels.type === type)?.value ?? 0;
    const sample: MetricsSample = {
      t: now(),
      requests,
      errors,
      active: metrics.activeRequests,
      inputTokens: tokens('input'),
      outputTokens: tokens('output'),
      costUsd: costValues[0]?.value ?? 0,
      latency,
      ttft,
    };
    samples.push(sample);
    const cutoff = sample.t - retainMs;
    while (samples.length > 2 && samples[0]!.t < cutoff) samples.shift();
    return sample;
  }

  function sample(): Promise<MetricsSample> {
    // Overlapping reads (a slow scrape under load) share one.
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  const timer = options.intervalMs === 0 ? undefined : setInterval(() => void sample().catch(() => undefined), options.intervalMs ?? 1000);
  timer?.unref();
  void sample().catch(() => undefined);

  function pair(seconds: number): [MetricsSample, MetricsSample] | undefined {
    const last = samples.at(-1);
    if (last === undefined) return undefined;
    const from = last.t - seconds * 1000;
    const first = samples.find((s) => s.t >= from) ?? last;
    return [first === last && samples.length > 1 ? samples.at(-2)! : first, last];
  }

  return {
    sample,
    window(seconds) {
      const p = pair(seconds);
      const empty: WindowStats = { windowSeconds: 0, requestsPerSecond: 0, errorRate: null, latencyP50Ms: null, latencyP95Ms: null, ttftP50Ms: null, ttftP95Ms: null, tokensPerHour: 0, costPerHourUsd: 0 };
      if (p === undefined) return empty;
      const [a, b] = p;
      const dt = (b.t - a.t) / 1000;
      if (dt <= 0) return empty;
      const n = b.requests - a.requests;
      return {
        windowSeconds: dt,
        requestsPerSecond: n / dt,
        errorRate: n > 0 ? (b.errors - a.errors) / n : null,
        latencyP50Ms: quantileBetween(a.latency, b.latency, 0.5),
        latencyP95Ms: quantileBetween(a.latency, b.latency, 0.95),
        ttftP50Ms: quantileBetween(a.ttft, b.ttft, 0.5),
        ttftP95Ms: quantileBetween(a.ttft, b.ttft, 0.95),
        tokensPerHour: ((b.inputTokens + b.outputTokens - a.inputTokens - a.outputTokens) / dt) * 3600,
        costPerHourUsd: ((b.costUsd - a.costUsd) / dt) * 3600,
      };
    },
    totals() {
      const last = samples.at(-1);
      return {
        requests: last?.requests ?? 0,
        errors: last?.errors ?? 0,
        active: metrics.activeRequests,
        inputTokens: last?.inputTokens ?? 0,
        outputTokens: last?.outputTokens ?? 0,
        costUsd: last?.costUsd ?? 0,
      };
    },
    series(points) {
      const out: { t: number; requestsPerSecond: number; errorRate: number | null }[] = [];
      const start = Math.max(1, samples.length - points);
      for (let i = start; i < samples.length; i++) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        const dt = (b.t - a.t) / 1000;
        const n = b.requests - a.requests;
        out.push({ t: b.t, requestsPerSecond: dt > 0 ? n / dt : 0, errorRate: n > 0 ? (b.errors - a.errors) / n : null });
      }
      return out;
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
