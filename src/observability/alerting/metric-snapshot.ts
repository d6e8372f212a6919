/**
 * One reading of the gateway's own metrics, taken from its prom-client Registry exactly as a
 * Prometheus scrape would see them — so the in-process rules and ops/prometheus/conduit-rules.yml
 * judge the same numbers. Counters are cumulative; the rules work on differences between readings.
 */
import type { Registry } from 'prom-client';

export interface HistogramReading {
  /** Finite upper bounds, ascending. */
  bounds: number[];
  /** Cumulative counts per bound, then +Inf (length = bounds.length + 1). */
  cumulative: number[];
}

export interface MetricSnapshot {
  timeMs: number;
  requests: number;
  /** Requests answered with a 5xx status (the gateway's or the provider's failure, not the caller's). */
  serverErrors: number;
  costUsd: number;
  duration: HistogramReading | undefined;
  ttft: HistogramReading | undefined;
  /** Present when a dead-letter queue is tracked. */
  dlqSize: number | undefined;
  dlqOldestAgeSeconds: number | undefined;
  /** Requests and 5xx answers per serving provider. */
  providers: Map<string, { requests: number; errors: number }>;
}

interface JsonMetric {
  name: string;
  values: { value: number; labels: Record<string, string | number | undefined>; metricName?: string }[];
}

export async function readMetricSnapshot(registry: Registry, timeMs: number): Promise<MetricSnapshot> {
  const metrics = (await registry.getMetricsAsJSON()) as unknown as JsonMetric[];
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const snapshot: MetricSnapshot = {
    timeMs,
    requests: 0,
    serverErrors: 0,
    costUsd: 0,
    duration: histogramOf(byName.get('llm_request_duration_seconds')),
    ttft: histogramOf(byName.get('llm_time_to_first_token_seconds')),
    dlqSize: gaugeOf(byName.get('dlq_size')),
    dlqOldestAgeSeconds: gaugeOf(byName.get('dlq_oldest_item_age_seconds')),
    providers: new Map(),
  };
  for (const v of byName.get('llm_requests_total')?.values ?? []) {
    const status = Number(v.labels.status);
    const provider = String(v.labels.provider ?? 'none');
    const isError = status >= 500;
    snapshot.requests += v.value;
    if (isError) snapshot.serverErrors += v.value;
    let p = snapshot.providers.get(provider);
    if (p === undefined) snapshot.providers.set(provider, (p = { requests: 0, errors: 0 }));
    p.requests += v.value;
    if (isError) p.errors += v.value;
  }
  for (const v of byName.get('llm_cost_usd_total')?.values ?? []) snapshot.costUsd += v.value;
  return snapshot;
}

function gaugeOf(metric: JsonMetric | undefined): number | undefined {
  return metric === undefined ? undefined : metric.values.reduce((sum, v) => sum + v.value, 0);
}

function histogramOf(metric: JsonMetric | undefined): HistogramReading | undefined {
  if (metric === undefined) return undefined;
  const finite: { le: number; count: number }[] = [];
  let inf = 0;
  for (const v of metric.values) {
    if (v.metricName !== undefined && !v.metricName.endsWith('_bucket')) continue;
    if (v.labels.le === undefined) continue;
    if (v.labels.le === '+Inf') inf = v.value;
    else finite.push({ le: Number(v.labels.le), count: v.value });
  }
  finite.sort((a, b) => a.le - b.le);
  return { bounds: finite.map((b) => b.le), cumulative: [...finite.map((b) => b.count), inf] };
}

/** Prometheus's histogram_quantile over the difference of two readings; undefined when nothing was observed. */
export function quantileBetween(q: number, older: HistogramReading | undefined, newer: HistogramReading | undefined): number | undefined {
  if (newer === undefined) return undefined;
  const counts = newer.cumulative.map((c, i) => c - (older?.cumulative[i] ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  for (let i = 0; i < newer.bounds.length; i++) {
    if (counts[i]! >= rank) {
      const lowerBound = i === 0 ? 0 : newer.bounds[i - 1]!;
      const lowerCount = i === 0 ? 0 : counts[i - 1]!;
      const inBucket = counts[i]! - lowerCount;
      return inBucket <= 0 ? newer.bounds[i]! : lowerBound + ((newer.bounds[i]! - lowerBound) * (rank - lowerCount)) / inBucket;
    }
  }
  // In the +Inf bucket: like Prometheus, answer the highest finite bound.
  return newer.bounds[newer.bounds.length - 1];
}
