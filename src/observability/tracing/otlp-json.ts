/**
 * OTLP/HTTP JSON encoding of spans (opentelemetry-proto `ExportTraceServiceRequest`, JSON mapping:
 * ids as hex strings, 64-bit nanosecond times as decimal strings, enums as integers).
 *
 * Hand-written rather than @opentelemetry/exporter-trace-otlp-http: that exporter consumes the
 * SDK's ReadableSpan/Resource model, so using it means adopting the whole SDK (tracer provider,
 * context manager, resources) beside Conduit's span model for the sake of ~60 lines of stable,
 * documented mapping. The collector-stub test checks the shape.
 */
import type { AttributeValue, Attributes, SpanKind, SpanRecord, SpanStatusCode } from './span.js';

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: { timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }[];
  status: { code: number; message?: string };
}

export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

const KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS: Record<SpanStatusCode, number> = { unset: 0, ok: 1, error: 2 };

export function encodeOtlpTraces(spans: readonly SpanRecord[], resource: Attributes): OtlpTraceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: encodeAttributes(resource) },
        scopeSpans: [{ scope: { name: 'conduit' }, spans: spans.map(encodeSpan) }],
      },
    ],
  };
}

function encodeSpan(span: SpanRecord): OtlpSpan {
  const out: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: KIND[span.kind],
    startTimeUnixNano: msToNanos(span.startTimeMs),
    endTimeUnixNano: msToNanos(span.endTimeMs),
    attributes: encodeAttributes(span.attributes),
    events: span.events.map((e) => ({ timeUnixNano: msToNanos(e.timeMs), name: e.name, attributes: encodeAttributes(e.attributes ?? {}) })),
    status: span.statusMessage === undefined ? { code: STATUS[span.status] } : { code: STATUS[span.status], message: span.statusMessage },
  };
  if (span.parentSpanId !== undefined) out.parentSpanId = span.parentSpanId;
  return out;
}

export function encodeAttributes(attributes: Attributes): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attributes) out.push({ key, value: encodeValue(attributes[key]!) });
  return out;
}

function encodeValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: (value as readonly (string | number)[]).map((v) => encodeValue(v)) } };
}

/** Epoch ms (fractional) → integer nanoseconds as a decimal string, exact beyond 2^53. */
function msToNanos(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(micros)).toString();
}
