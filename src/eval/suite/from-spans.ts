/**
 * Trace records from Conduit's own trace store: model-call spans carry the request messages and the
 * output as `gen_ai.input.messages` / `gen_ai.output.messages` (JSON) when content capture was on for
 * the caller's key. Spans without captured content are skipped — there is nothing to replay. Pure:
 * it reads span objects (as SqlTraceStore.getTrace returns them), not the database.
 */
import type { RecordedMessage } from './suite-schema.js';
import type { TraceRecord } from './from-traces.js';

/** The parts of a stored span this reads (structurally: any span record with attributes fits). */
export interface SpanLike {
  traceId: string;
  spanId: string;
  name: string;
  attributes: Readonly<Record<string, unknown>>;
}

const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';

export function traceRecordsFromSpans(spans: readonly SpanLike[]): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const span of spans) {
    const a = span.attributes;
    const inputJson = a[INPUT];
    const outputJson = a[OUTPUT];
    if (typeof inputJson !== 'string' || typeof outputJson !== 'string') continue;
    const input = parseMessages(inputJson);
    const output = parseMessages(outputJson)
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content)
      .join('');
    const model = stringAttr(a, 'gen_ai.response.model') ?? stringAttr(a, 'gen_ai.request.model');
    if (input.length === 0 || model === undefined) continue;
    const metadata: Record<string, unknown> = { trace_id: span.traceId, span_id: span.spanId, span: span.name };
    for (const [key, attr] of [
      ['key_id', 'conduit.key_id'],
      ['team', 'conduit.team'],
      ['provider', 'gen_ai.provider.name'],
      ['agent', 'gen_ai.agent.name'],
    ] as const) {
      const value = stringAttr(a, attr);
      if (value !== undefined) metadata[key] = value;
    }
    records.push({ id: `${span.traceId}-${span.spanId}`, input, output, model, metadata });
  }
  return records;
}

function stringAttr(attributes: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = attributes[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Conduit messages (content as text or text parts); tool turns are dropped: a replay starts from the user's side. */
function parseMessages(json: string): RecordedMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(json) as unknown;
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: RecordedMessage[] = [];
  for (const m of value as unknown[]) {
    if (m === null || typeof m !== 'object') continue;
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (role !== 'system' && role !== 'user' && role !== 'assistant') continue;
    const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((p: unknown) => (p !== null && typeof p === 'object' && (p as { type?: unknown }).type === 'text' ? String((p as { text?: unknown }).text ?? '') : '')).join('') : '';
    out.push({ role, content: text });
  }
  return out;
}
