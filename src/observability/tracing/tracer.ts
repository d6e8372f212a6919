/**
 * The tracer other modules call: `startSpan` for explicit lifetimes, `withSpan` to run a function
 * inside a span (ended, and marked failed on a throw, for you). A span's parent is, in order: the
 * `parent` option (a Span, a SpanContext or a `traceparent` string), else the span active in the
 * current async context (set by `withSpan`), else none — a new trace.
 *
 * There is no global tracer: whoever builds the gateway (or an agent runtime) creates one when
 * tracing is configured and passes it down; code given no tracer does no tracing work at all.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Span } from './span.js';
import type { Attributes, SpanKind, SpanSink } from './span.js';
import { BatchSpanProcessor } from './batch-processor.js';
import type { BatchProcessorOptions, SpanExporter } from './batch-processor.js';
import { newSpanId, newTraceId, parseTraceparent } from './traceparent.js';
import type { SpanContext } from './traceparent.js';

export type SpanParent = Span | SpanContext | string;

export interface StartSpanOptions {
  /** Explicit parent; `null` forces a new trace even inside an active span. */
  parent?: SpanParent | null;
  kind?: SpanKind;
  attributes?: Attributes;
  startTimeMs?: number;
}

/** What the gateway registers per traced request so model calls made for it join its trace. */
export interface RequestTrace {
  span: Span;
  /** Whether prompt and completion text may be recorded (the key opted in); asked at call time, after authentication. */
  captureContent: () => boolean;
}

export interface TracerOptions extends BatchProcessorOptions {
  exporter: SpanExporter;
  /** Service name in exported resources; default `conduit`. */
  serviceName?: string;
}

export class Tracer {
  readonly serviceName: string;
  private readonly processor: BatchSpanProcessor;
  private readonly sink: SpanSink;
  // Created with the tracer, so a process that never traces never enables async context tracking.
  private readonly active = new AsyncLocalStorage<Span>();
  private readonly requests = new Map<string, RequestTrace>();

  constructor(options: TracerOptions) {
    this.serviceName = options.serviceName ?? 'conduit';
    this.processor = new BatchSpanProcessor(options.exporter, options);
    this.sink = this.processor;
  }

  startSpan(name: string, options: StartSpanOptions = {}): Span {
    const parent = options.parent === undefined ? this.active.getStore()?.context : options.parent === null ? undefined : contextOf(options.parent);
    const context: SpanContext =
      parent === undefined ? { traceId: newTraceId(), spanId: newSpanId(), traceFlags: 1 } : { traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags };
    return new Span(this.sink, {
      context,
      parentSpanId: parent?.spanId,
      name,
      kind: options.kind ?? 'internal',
      attributes: options.attributes,
      startTimeMs: options.startTimeMs,
    });
  }

  /**
   * Runs `fn` inside a new span that is the active parent for spans started within it. The span
   * ends when `fn` settles; a throw is recorded as the span's error and rethrown.
   */
  async withSpan<T>(name: string, options: StartSpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
    const span = this.startSpan(name, options);
    try {
      const result = await this.active.run(span, () => fn(span));
      span.setStatus('ok');
      return result;
    } catch (err) {
      span.recordError(err);
      throw err;
    } finally {
      span.end();
    }
  }

  /** The span active in this async context (inside `withSpan`), if any. */
  activeSpan(): Span | undefined {
    return this.active.getStore();
  }

  /** Runs `fn` with `span` as the active parent (for code that manages the span's end itself). */
  runInSpan<T>(span: Span, fn: () => T): T {
    return this.active.run(span, fn);
  }

  /** The gateway registers each traced request under its request id; model middleware finds it there. */
  registerRequest(requestId: string, trace: RequestTrace): void {
    // A client reusing an x-request-id across concurrent requests keeps the first registration.
    if (!this.requests.has(requestId)) this.requests.set(requestId, trace);
  }

  unregisterRequest(requestId: string, span: Span): void {
    if (this.requests.get(requestId)?.span === span) this.requests.delete(requestId);
  }

  requestTrace(requestId: string | undefined): RequestTrace | undefined {
    return requestId === undefined ? undefined : this.requests.get(requestId);
  }

  /** Spans dropped because the export queue was full. */
  get droppedSpans(): number {
    return this.processor.dropped;
  }

  /** Exports everything ended so far (tests, shutdown). */
  flush(): Promise<void> {
    return this.processor.flush();
  }

  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}

function contextOf(parent: SpanParent): SpanContext | undefined {
  if (typeof parent === 'string') return parseTraceparent(parent);
  if (parent instanceof Span) return parent.context;
  return parent;
}
