/** The Prometheus HTTP API's `query` and `query_range`, with results flattened for a model to read. */
import { ConduitError } from '../../../core/errors.js';
import { fetchJson } from './http-get-json.js';

export interface PromSeries {
  metric: Record<string, string>;
  /** [unix seconds, value] pairs; one pair for an instant vector. */
  values: [number, string][];
}

export interface PrometheusClient {
  query(promql: string, time?: Date): Promise<PromSeries[]>;
  queryRange(promql: string, start: Date, end: Date, stepSeconds: number): Promise<PromSeries[]>;
}

interface PromAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

function seriesOf(answer: PromAnswer): PromSeries[] {
  if (answer.status !== 'success') throw new ConduitError('provider_error', `Prometheus query failed: ${answer.error ?? 'unknown error'}`, { code: 'prometheus_query_failed' });
  const { resultType, result } = answer.data ?? {};
  if (resultType === 'scalar' || resultType === 'string') {
    const [t, v] = result as [number, string];
    return [{ metric: {}, values: [[t, v]] }];
  }
  return ((result as { metric?: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] | undefined) ?? []).map((r) => ({
    metric: r.metric ?? {},
    values: r.values ?? (r.value === undefined ? [] : [r.value]),
  }));
}

export function prometheusClient(url: string, headers?: Record<string, string>): PrometheusClient {
  const base = url.replace(/\/+$/, '');
  const get = async (path: string, params: Record<string, string>): Promise<PromSeries[]> =>
    seriesOf((await fetchJson(`${base}${path}?${new URLSearchParams(params)}`, { what: 'Prometheus', ...(headers === undefined ? {} : { headers }) })) as PromAnswer);
  return {
    query: (promql, time) => get('/api/v1/query', { query: promql, ...(time === undefined ? {} : { time: String(time.getTime() / 1000) }) }),
    queryRange: (promql, start, end, step) => get('/api/v1/query_range', { query: promql, start: String(start.getTime() / 1000), end: String(end.getTime() / 1000), step: String(step) }),
  };
}
