/**
 * Measures λ (arrival rate) and W (mean time in system) of a running gateway from its /metrics:
 * two scrapes `windowSeconds` apart give λ = Δ llm_requests_total / Δt and
 * W = Δ llm_request_duration_seconds_sum / Δ …_count; llm_active_requests, sampled every second
 * in between, is the observed L to check λ × W against. A window with no requests falls back to
 * lifetime averages (since process_start_time_seconds).
 */
import { ConduitError } from '../../core/errors.js';

export interface MeasuredTraffic {
  source: 'window' | 'lifetime';
  arrivalRatePerSecond: number;
  timeInSystemSeconds: number;
  /** Mean of llm_active_requests over the samples taken. */
  observedConcurrency: number;
  requests: number;
  seconds: number;
}

export interface MetricTotals {
  requests: number;
  durationSum: number;
  durationCount: number;
  active: number;
  processStartSeconds: number | undefined;
}

/** Sums the samples of the families capacity needs from Prometheus text exposition. */
export function parseMetricTotals(text: string): MetricTotals {
  const totals: MetricTotals = { requests: 0, durationSum: 0, durationCount: 0, active: 0, processStartSeconds: undefined };
  let seen = false;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    switch (m[1]) {
      case 'llm_requests_total':
        totals.requests += value;
        seen = true;
        break;
      case 'llm_request_duration_seconds_sum':
        totals.durationSum += value;
        break;
      case 'llm_request_duration_seconds_count':
        totals.durationCount += value;
        seen = true;
        break;
      case 'llm_active_requests':
        totals.active += value;
        break;
      case 'process_start_time_seconds':
        totals.processStartSeconds = value;
        break;
    }
  }
  if (!seen && !text.includes('llm_requests_total')) {
    throw new ConduitError('invalid_request', 'the /metrics answer has no llm_requests_total: is this a Conduit gateway?', { code: 'not_conduit_metrics' });
  }
  return totals;
}

export interface MeasureOptions {
  /** Gateway base URL (`http://127.0.0.1:8000`) or its /metrics URL. */
  url: string;
  windowSeconds: number;
  fetchText?: (url: string) => Promise<string>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export function metricsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/metrics') ? trimmed : `${trimmed}/metrics`;
}

export async function measureTraffic(options: MeasureOptions): Promise<MeasuredTraffic> {
  const url = metricsUrl(options.url);
  const fetchText = options.fetchText ?? defaultFetchText;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const first = parseMetricTotals(await fetchText(url));
  const t0 = now();
  const active: number[] = [first.active];
  let last = first;
  const samples = Math.max(1, Math.round(options.windowSeconds));
  for (let i = 0; i < samples; i++) {
    await sleep((options.windowSeconds * 1000) / samples);
    last = parseMetricTotals(await fetchText(url));
    active.push(last.active);
  }
  const seconds = (now() - t0) / 1000;
  const observedConcurrency = active.reduce((a, b) => a + b, 0) / active.length;
  const requests = last.durationCount - first.durationCount;
  if (requests > 0 && seconds > 0) {
    return {
      source: 'window',
      arrivalRatePerSecond: (last.requests - first.requests) / seconds,
      timeInSystemSeconds: (last.durationSum - first.durationSum) / requests,
      observedConcurrency,
      requests,
      seconds,
    };
  }
  if (last.durationCount === 0 || last.processStartSeconds === undefined) {
    throw new ConduitError('invalid_request', `no requests seen at ${url} (in the ${options.windowSeconds} s window or since start): measure under load, or give --rate and --latency-ms`, { code: 'no_traffic' });
  }
  const uptime = now() / 1000 - last.processStartSeconds;
  return {
    source: 'lifetime',
    arrivalRatePerSecond: last.requests / uptime,
    timeInSystemSeconds: last.durationSum / last.durationCount,
    observedConcurrency,
    requests: last.durationCount,
    seconds: uptime,
  };
}

async function defaultFetchText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new ConduitError('provider_error', `could not read ${url}: ${err instanceof Error ? err.message : String(err)}`, { code: 'metrics_unreachable', cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new ConduitError('provider_error', `${url} answered HTTP ${res.status}`, { code: 'metrics_unreachable' });
  return text;
}
