/**
 * Sends span batches to an OpenTelemetry collector (or Jaeger, Tempo, Langfuse, Phoenix…) over
 * OTLP/HTTP with JSON bodies: `POST <endpoint>/v1/traces`.
 */
import { ConduitError } from '../../core/errors.js';
import type { SpanExporter } from './batch-processor.js';
import { encodeOtlpTraces } from './otlp-json.js';
import type { Attributes, SpanRecord } from './span.js';

export interface OtlpExporterOptions {
  /** Collector base URL (`http://collector:4318`) or the full traces URL ending in `/v1/traces`. */
  endpoint: string;
  /** Extra headers (an API key for a hosted backend). */
  headers?: Record<string, string>;
  /** Resource attributes; `service.name` defaults to `conduit`. */
  resource?: Attributes;
  /** Per-batch timeout; default 10 000 ms. */
  timeoutMs?: number;
}

export function otlpTracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`;
}

export class OtlpHttpJsonExporter implements SpanExporter {
  private readonly url: string;
  private readonly resource: Attributes;

  constructor(private readonly options: OtlpExporterOptions) {
    this.url = otlpTracesUrl(options.endpoint);
    this.resource = { 'service.name': 'conduit', ...options.resource };
  }

  async export(spans: readonly SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.options.headers },
      body: JSON.stringify(encodeOtlpTraces(spans, this.resource)),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    // Drain the body so the keep-alive connection is reusable.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new ConduitError('provider_error', `OTLP export to ${this.url} failed with HTTP ${res.status}`, { code: 'otlp_export_failed' });
  }
}
