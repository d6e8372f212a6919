/**
 * Alerts from any JSON source: a mapping names, by dotted path, where each field lives in the
 * source's objects (`labels: "tags"`, `name: "check.title"`). Unmapped label maps are flattened
 * from objects; scalars become strings. A body may be one alert, an array, or `{ alerts: [...] }`.
 */
import { ConduitError } from '../../../core/errors.js';
import { fingerprintOf, normaliseSeverity, type Alert } from '../alert.js';

export interface JsonAlertMapping {
  name: string;
  status?: string;
  severity?: string;
  labels?: string;
  annotations?: string;
  fingerprint?: string;
  startsAt?: string;
  endsAt?: string;
  summary?: string;
  /** Source values that mean "resolved" (case-insensitive); default resolved, ok, closed, recovered. */
  resolvedValues?: string[];
}

export const DEFAULT_JSON_MAPPING: JsonAlertMapping = {
  name: 'name',
  status: 'status',
  severity: 'severity',
  labels: 'labels',
  annotations: 'annotations',
  fingerprint: 'fingerprint',
  startsAt: 'startsAt',
  endsAt: 'endsAt',
  summary: 'summary',
};

const MAX_ALERTS_PER_REQUEST = 1000;

function at(obj: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return undefined;
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = scalar(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function isoTime(value: unknown): string | undefined {
  if (typeof value === 'number') return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  const s = scalar(value);
  if (s === undefined || s === '') return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function alertItemsOf(body: unknown): unknown[] {
  const items = Array.isArray(body) ? body : body !== null && typeof body === 'object' && Array.isArray((body as { alerts?: unknown }).alerts) ? (body as { alerts: unknown[] }).alerts : [body];
  if (items.length === 0) throw new ConduitError('invalid_request', 'No alerts in the request', { code: 'no_alerts' });
  if (items.length > MAX_ALERTS_PER_REQUEST) throw new ConduitError('invalid_request', `At most ${MAX_ALERTS_PER_REQUEST} alerts per request`, { code: 'too_many_alerts' });
  return items;
}

/** Maps every item; the whole request is refused (nothing stored) when one item lacks a name. */
export function mapJsonAlerts(body: unknown, mapping: JsonAlertMapping = DEFAULT_JSON_MAPPING, source = 'json'): Alert[] {
  const resolved = new Set((mapping.resolvedValues ?? ['resolved', 'ok', 'closed', 'recovered']).map((v) => v.toLowerCase()));
  return alertItemsOf(body).map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ConduitError('invalid_request', `Alert ${i} is not a JSON object`, { code: 'invalid_alert' });
    const name = scalar(at(item, mapping.name));
    if (name === undefined || name.trim() === '') throw new ConduitError('invalid_request', `Alert ${i} has no name at '${mapping.name}'`, { code: 'invalid_alert' });
    const labels: Record<string, string> = { alertname: name, ...stringMap(at(item, mapping.labels)) };
    const severityValue = scalar(at(item, mapping.severity)) ?? labels.severity;
    if (severityValue !== undefined) labels.severity ??= severityValue;
    const annotations = stringMap(at(item, mapping.annotations));
    const summary = scalar(at(item, mapping.summary));
    if (summary !== undefined) annotations.summary ??= summary;
    const statusValue = scalar(at(item, mapping.status));
    const startsAt = isoTime(at(item, mapping.startsAt));
    const endsAt = isoTime(at(item, mapping.endsAt));
    const fingerprint = scalar(at(item, mapping.fingerprint));
    return {
      fingerprint: fingerprint !== undefined && fingerprint !== '' ? fingerprint : fingerprintOf(labels),
      name,
      status: statusValue !== undefined && resolved.has(statusValue.toLowerCase()) ? 'resolved' : 'firing',
      severity: normaliseSeverity(severityValue),
      labels,
      annotations,
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
      source,
    };
  });
}
