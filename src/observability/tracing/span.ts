/**
 * The span model: what one unit of work (gateway request, model call, agent run, tool call,
 * retrieval) records. A live {@link Span} is mutated while the work runs; `end()` freezes it into a
 * {@link SpanRecord} handed to the tracer's processor (OTLP export or Conduit's own store).
 */
import type { SpanContext } from './traceparent.js';

export type AttributeValue = string | number | boolean | readonly string[] | readonly number[];
export type Attributes = Record<string, AttributeValue>;

/** OpenTelemetry span kinds (the OTLP enum values are in otlp-json.ts). */
export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type SpanStatusCode = 'unset' | 'ok' | 'error';

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes?: Attributes;
}

/** A finished span, as exported and stored. Times are epoch milliseconds with sub-ms precision. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Undefined for a trace's root; may name a span in another process (an incoming `traceparent`). */
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKind;
  startTimeMs: number;
  endTimeMs: number;
  status: SpanStatusCode;
  statusMessage: string | undefined;
  attributes: Attributes;
  events: SpanEvent[];
}

/** Where ended spans go (the tracer's batch processor). */
export interface SpanSink {
  onEnd(span: SpanRecord): void;
}

const perfOrigin = performance.timeOrigin;

/** Epoch ms with sub-millisecond precision (Date.now() is only whole ms). */
export function nowMs(): number {
  return perfOrigin + performance.now();
}

export class Span {
  readonly context: SpanContext;
  readonly parentSpanId: string | undefined;
  name: string;
  readonly kind: SpanKind;
  readonly startTimeMs: number;
  readonly attributes: Attributes;
  private readonly events: SpanEvent[] = [];
  private status: SpanStatusCode = 'unset';
  private statusMessage: string | undefined = undefined;
  private ended = false;

  constructor(
    private readonly sink: SpanSink,
    init: { context: SpanContext; parentSpanId: string | undefined; name: string; kind: SpanKind; attributes: Attributes | undefined; startTimeMs: number | undefined },
  ) {
    this.context = init.context;
    this.parentSpanId = init.parentSpanId;
    this.name = init.name;
    this.kind = init.kind;
    this.attributes = init.attributes === undefined ? {} : { ...init.attributes };
    this.startTimeMs = init.startTimeMs ?? nowMs();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Undefined values are skipped, so callers can pass optional fields straight through. */
  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (value !== undefined && !this.ended) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Record<string, AttributeValue | undefined>): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributes?: Attributes, timeMs: number = nowMs()): this {
    if (!this.ended) this.events.push(attributes === undefined ? { name, timeMs } : { name, timeMs, attributes });
    return this;
  }

  setStatus(status: SpanStatusCode, message?: string): this {
    if (this.ended) return this;
    // As in OpenTelemetry: once ok, a later error does not downgrade it, and unset never overrides.
    if (status === 'unset' || this.status === 'ok') return this;
    this.status = status;
    this.statusMessage = status === 'error' ? message : undefined;
    return this;
  }

  /** Marks the span failed and records the error as an `exception` event (OpenTelemetry's convention). */
  recordError(err: unknown): this {
    const message = err instanceof Error ? err.message : String(err);
    const type = typeof err === 'object' && err !== null && 'kind' in err && typeof err.kind === 'string' ? err.kind : err instanceof Error ? err.name : 'error';
    this.addEvent('exception', { 'exception.type': type, 'exception.message': message });
    this.setAttribute('error.type', type);
    return this.setStatus('error', message);
  }

  /** Ends the span once; later calls do nothing. */
  end(endTimeMs: number = nowMs()): void {
    if (this.ended) return;
    this.ended = true;
    this.sink.onEnd({
      traceId: this.context.traceId,
      spanId: this.context.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startTimeMs: this.startTimeMs,
      endTimeMs: Math.max(endTimeMs, this.startTimeMs),
      status: this.status,
      statusMessage: this.statusMessage,
      attributes: this.attributes,
      events: this.events,
    });
  }
}
