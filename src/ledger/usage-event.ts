/**
 * One billed (or attempted) model call, as the gateway appends it to the ledger. `requestId` is the
 * idempotency key: a retried write, a replayed buffer after a crash, or a second replica that saw
 * the same request all land on the same row.
 */
import { ConduitError } from '../core/errors.js';
import type { Usage } from '../core/usage.js';

export type UsageStatus = 'ok' | 'error' | 'interrupted';

export interface UsageEvent {
  /** Idempotency key: the same id recorded twice counts once. */
  requestId: string;
  /**
   * When the request happened (epoch ms or Date). Use the request's start time (the budget
   * reservation's `startedAt`) so that budget windows rebuilt from the ledger agree with the live
   * counters for requests that straddle a window boundary.
   */
  ts: Date | number;
  keyId?: string;
  userId?: string;
  team?: string;
  /** The model the caller asked for (an alias, before routing). */
  model: string;
  /** The provider that served the call (after routing and fallback). */
  provider: string;
  /** The model id the provider reported serving. */
  servedModel: string;
  usage: Usage;
  /** USD, priced with cached-input, cache-write and reasoning tokens; undefined/null = unknown price (never a made-up 0). */
  costUsd?: number | null;
  status: UsageStatus;
  streamed: boolean;
  latencyMs: number;
  traceId?: string;
  metadata?: Record<string, unknown>;
}

const STATUSES: ReadonlySet<string> = new Set<UsageStatus>(['ok', 'error', 'interrupted']);

function nonNegativeInt(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new ConduitError('invalid_request', `usage event ${field} must be a non-negative number, got ${String(value)}`, { param: field });
  }
  return Math.round(value);
}

export function toEpochMs(ts: Date | number): number {
  const ms = typeof ts === 'number' ? ts : ts.getTime();
  if (!Number.isFinite(ms)) throw new ConduitError('invalid_request', `invalid timestamp ${String(ts)}`, { param: 'ts' });
  return ms;
}

/** The column values of one event, in the order of LEDGER_COLUMNS; validates as it goes. */
export function eventToRow(e: UsageEvent): unknown[] {
  if (typeof e.requestId !== 'string' || e.requestId === '') {
    throw new ConduitError('invalid_request', 'usage event needs a non-empty requestId', { param: 'requestId' });
  }
  if (!STATUSES.has(e.status)) {
    throw new ConduitError('invalid_request', `usage event status must be ok, error or interrupted, got ${String(e.status)}`, { param: 'status' });
  }
  const cost = e.costUsd ?? null;
  if (cost !== null && (!Number.isFinite(cost) || cost < 0)) {
    throw new ConduitError('invalid_request', `usage event costUsd must be a non-negative number, got ${String(cost)}`, { param: 'costUsd' });
  }
  return [
    e.requestId,
    new Date(toEpochMs(e.ts)).toISOString(),
    e.keyId ?? null,
    e.userId ?? null,
    e.team ?? null,
    e.model,
    e.provider,
    e.servedModel,
    nonNegativeInt(e.usage.inputTokens, 'usage.inputTokens'),
    nonNegativeInt(e.usage.outputTokens, 'usage.outputTokens'),
    nonNegativeInt(e.usage.cachedInputTokens, 'usage.cachedInputTokens'),
    nonNegativeInt(e.usage.cacheWriteTokens, 'usage.cacheWriteTokens'),
    nonNegativeInt(e.usage.reasoningTokens, 'usage.reasoningTokens'),
    // Sent as text so the numeric column keeps exactly the decimal the caller computed.
    cost === null ? null : String(cost),
    e.status,
    e.streamed,
    nonNegativeInt(e.latencyMs, 'latencyMs'),
    e.traceId ?? null,
    e.metadata === undefined ? null : JSON.stringify(e.metadata),
  ];
}

export const LEDGER_COLUMNS = [
  'request_id',
  'ts',
  'key_id',
  'user_id',
  'team',
  'model',
  'provider',
  'served_model',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'status',
  'streamed',
  'latency_ms',
  'trace_id',
  'metadata',
] as const;
