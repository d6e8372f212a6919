/**
 * What the console reads from the tracing and alerting modules, as the smallest structural ports:
 * the trace store's query API (SqlTraceStore satisfies TraceSource) and the alert engine's active
 * set (AlertEngine satisfies AlertSource). Without them the console says "not enabled" rather than
 * showing empty lists that would look like no traffic or no trouble.
 */
import type { ActiveAlert } from '../observability/alerting/index.js';
import type { StoredSpan, TraceListFilter, TraceSummary } from '../observability/tracing/index.js';

export type { ActiveAlert, StoredSpan, TraceListFilter, TraceSummary };

export interface TraceSource {
  listTraces(filter: TraceListFilter): Promise<TraceSummary[]>;
  /** Throws ConduitError('not_found') for an unknown (or expired) trace. */
  getTrace(traceId: string): Promise<StoredSpan[]>;
}

export interface AlertSource {
  activeAlerts(): ActiveAlert[];
}
