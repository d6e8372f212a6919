/**
 * Log search over three backends behind one interface: Loki (`/loki/api/v1/query_range`, LogQL),
 * Elasticsearch (`/<index>/_search`, query_string) and Conduit's own log store.
 */
import type { SignalStore } from '../store/signal-store.js';
import type { LogLine } from '../store/incident-records.js';
import { fetchJson } from './http-get-json.js';

export interface LogSearchQuery {
  /** Free text to look for (Loki: a line filter; Elasticsearch: query_string; Conduit: substring). */
  text: string;
  service?: string;
  since: Date;
  until: Date;
  limit: number;
}

export interface LogSearch {
  readonly backend: 'loki' | 'elasticsearch' | 'conduit';
  search(query: LogSearchQuery): Promise<LogLine[]>;
}

function quoteLogQl(s: string): string {
  return JSON.stringify(s);
}

export interface LokiOptions {
  url: string;
  /** Label that carries the service name in Loki streams (default `service`). */
  serviceLabel?: string;
  headers?: Record<string, string>;
}

export function lokiLogSearch(options: LokiOptions): LogSearch {
  const base = options.url.replace(/\/+$/, '');
  const serviceLabel = options.serviceLabel ?? 'service';
  return {
    backend: 'loki',
    async search(q) {
      const selector = q.service === undefined ? `{${serviceLabel}=~".+"}` : `{${serviceLabel}=${quoteLogQl(q.service)}}`;
      const logql = q.text === '' ? selector : `${selector} |~ ${quoteLogQl(`(?i)${q.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)}`;
      const params = new URLSearchParams({ query: logql, start: `${q.since.getTime()}000000`, end: `${q.until.getTime()}000000`, limit: String(q.limit), direction: 'backward' });
      const body = (await fetchJson(`${base}/loki/api/v1/query_range?${params}`, { what: 'Loki', ...(options.headers === undefined ? {} : { headers: options.headers }) })) as {
        data?: { result?: { stream?: Record<string, string>; values?: [string, string][] }[] };
      };
      const lines: LogLine[] = [];
      for (const stream of body.data?.result ?? []) {
        const labels = stream.stream ?? {};
        for (const [ns, line] of stream.values ?? []) {
          lines.push({ at: new Date(Number(BigInt(ns) / 1_000_000n)).toISOString(), service: labels[serviceLabel] ?? '', level: labels.level ?? labels.detected_level ?? '', message: line, labels });
        }
      }
      return lines.sort((a, b) => b.at.localeCompare(a.at)).slice(0, q.limit);
    },
  };
}

export interface ElasticsearchOptions {
  url: string;
  /** Index or pattern, e.g. `logs-*`. */
  index: string;
  timestampField?: string;
  messageField?: string;
  serviceField?: string;
  levelField?: string;
  headers?: Record<string, string>;
}

function field(source: Record<string, unknown>, path: string): unknown {
  if (path in source) return source[path];
  let cur: unknown = source;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function elasticsearchLogSearch(options: ElasticsearchOptions): LogSearch {
  const base = options.url.replace(/\/+$/, '');
  const ts = options.timestampField ?? '@timestamp';
  const msg = options.messageField ?? 'message';
  const svc = options.serviceField ?? 'service.name';
  const lvl = options.levelField ?? 'log.level';
  return {
    backend: 'elasticsearch',
    async search(q) {
      const must: unknown[] = q.text === '' ? [] : [{ query_string: { query: q.text, default_field: msg } }];
      const filter: unknown[] = [{ range: { [ts]: { gte: q.since.toISOString(), lte: q.until.toISOString() } } }];
      if (q.service !== undefined) filter.push({ term: { [svc]: q.service } });
      const body = (await fetchJson(`${base}/${encodeURIComponent(options.index)}/_search`, {
        method: 'POST',
        body: { size: q.limit, sort: [{ [ts]: 'desc' }], query: { bool: { must, filter } } },
        what: 'Elasticsearch',
        ...(options.headers === undefined ? {} : { headers: options.headers }),
      })) as { hits?: { hits?: { _source?: Record<string, unknown> }[] } };
      return (body.hits?.hits ?? []).map((h) => {
        const s = h._source ?? {};
        const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
        return { at: str(field(s, ts)), service: str(field(s, svc)), level: str(field(s, lvl)), message: str(field(s, msg)), labels: {} };
      });
    },
  };
}

export function conduitLogSearch(store: SignalStore): LogSearch {
  return {
    backend: 'conduit',
    search: (q) => store.searchLogs({ text: q.text, ...(q.service === undefined ? {} : { service: q.service }), since: q.since.toISOString(), until: q.until.toISOString(), limit: q.limit }),
  };
}
