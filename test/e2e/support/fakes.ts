/**
 * Small helpers the end-to-end tests share: counting what reached a fake upstream, reading a raw
 * SSE body, and scraping Prometheus text.
 */
import type { FakeUpstream } from '../../fake-upstream/fake-upstream.js';
import type { RecordedRequest } from '../../fake-upstream/scenario.js';

/** Model calls that reached a fake (not the `GET /v1/models` reachability probes `conduit serve` makes at start). */
export function modelCalls(fake: FakeUpstream): RecordedRequest[] {
  return fake.requests.filter((r) => r.method === 'POST' && (r.path.startsWith('/v1/chat/completions') || r.path.startsWith('/v1/messages')));
}

export function lastModelCall(fake: FakeUpstream): RecordedRequest {
  const calls = modelCalls(fake);
  const last = calls.at(-1);
  if (last === undefined) throw new Error('the fake upstream received no model call');
  return last;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON body of a recorded request as an object (fails loudly when it was not one). */
export function bodyOf(request: RecordedRequest): Record<string, unknown> {
  if (!isRecord(request.body)) throw new Error(`expected a JSON object body, got ${JSON.stringify(request.body)}`);
  return request.body;
}

/** The `data:` payloads of an SSE body, in order, with the event name when one was given. */
export function sseEvents(raw: string): { event: string | undefined; data: string }[] {
  const out: { event: string | undefined; data: string }[] = [];
  for (const block of raw.split(/\r?\n\r?\n/)) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    out.push({ event, data: data.join('\n') });
  }
  return out;
}

/** Reads a whole response body as text, even when the server ends it abruptly (what was received is returned). */
export async function readAllText(response: Response): Promise<{ text: string; error: unknown }> {
  const body = response.body;
  if (body === null) return { text: '', error: undefined };
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of body) text += decoder.decode(chunk as Uint8Array, { stream: true });
  } catch (err) {
    return { text, error: err };
  }
  return { text: text + decoder.decode(), error: undefined };
}

/** The value of one Prometheus sample, matched by metric name and a subset of its labels; undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = parseLabels(m[2] ?? '');
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

function parseLabels(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return out;
}
