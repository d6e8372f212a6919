/**
 * Builds tracing from the `tracing:` section for `conduit serve`: an OTLP exporter when an
 * endpoint is configured, else Conduit's own SQL trace store (which the console lists traces from).
 */
import type { Logger } from 'pino';
import type { SqlDatabase } from '../../store/sql.js';
import type { TracingConfig } from '../../config/schema.js';
import { contentCapturePolicy } from './content-capture.js';
import { GatewayTracing } from './gateway-tracing.js';
import { OtlpHttpJsonExporter } from './otlp-exporter.js';
import { SqlTraceStore } from './sql-trace-store.js';
import { Tracer } from './tracer.js';
import type { SpanExporter } from './batch-processor.js';

export interface OpenedTracing {
  tracer: Tracer;
  gateway: GatewayTracing;
  /** Present when spans are kept in Conduit's store (no OTLP endpoint): the console's query API. */
  store: SqlTraceStore | undefined;
  /** Exports what is queued, then stops. */
  close(): Promise<void>;
}

export async function openTracing(config: TracingConfig, deps: { openDb: () => Promise<SqlDatabase>; logger?: Logger }): Promise<OpenedTracing> {
  let exporter: SpanExporter;
  let store: SqlTraceStore | undefined;
  if (config.otlp !== undefined) {
    exporter = new OtlpHttpJsonExporter({ endpoint: config.otlp.endpoint, headers: config.otlp.headers, resource: { 'service.name': config.service_name } });
  } else {
    store = await SqlTraceStore.open(await deps.openDb(), { retentionMs: config.retention_days * 24 * 3600_000 });
    exporter = store;
  }
  const logger = deps.logger;
  const tracer = new Tracer({
    exporter,
    serviceName: config.service_name,
    onError: (err) => logger?.warn({ err }, 'span export failed; the batch was dropped'),
  });
  return {
    tracer,
    gateway: new GatewayTracing(tracer, contentCapturePolicy({ keys: config.capture_content.keys })),
    store,
    close: () => tracer.shutdown(),
  };
}
