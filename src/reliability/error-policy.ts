/**
 * Which errors may be retried or failed over, and which count against a deployment's health.
 * Kept in one place so retry, router, fallback and breaker all agree.
 */
import { toConduitError, type ConduitError, type ErrorKind } from '../core/errors.js';

/**
 * Kinds that no retry or failover can fix: the request itself is at fault, or the caller gave up.
 * These are never retried even if an adapter marked one `retryable`.
 */
export const NEVER_RETRY_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'invalid_request',
  'authentication',
  'permission',
  'not_found',
  'payload_too_large',
  'context_length',
  'policy_refusal',
  'cancelled',
  'stream_interrupted',
]);

/** Kinds that say the provider (not the request, not the caller) failed: these trip circuit breakers. */
export const PROVIDER_FAILURE_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'rate_limited',
  'provider_error',
  'provider_unavailable',
  'timeout',
  'stream_interrupted',
]);

/** Normalises anything thrown by a model into a ConduitError (unknown throwables are `internal`, not retried). */
export function normaliseError(err: unknown): ConduitError {
  return toConduitError(err, 'internal');
}

/** True when another attempt (same or another deployment) may succeed where this one failed. */
export function isRetryableError(err: ConduitError): boolean {
  return err.retryable && !NEVER_RETRY_KINDS.has(err.kind);
}

/**
 * How an attempt's outcome counts for a circuit breaker: provider-side failures count, a cancelled
 * call says nothing about the provider, and any other error (a 400, a 401…) proves the provider
 * answered, so it counts as a sign of life.
 */
export function breakerVerdict(err: ConduitError): 'failure' | 'neutral' | 'success' {
  if (err.kind === 'cancelled') return 'neutral';
  if (PROVIDER_FAILURE_KINDS.has(err.kind)) return 'failure';
  return 'success';
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: 'full' | 'none';
}

/**
 * Exponential backoff with "full jitter" (AWS architecture blog): a uniform random delay in
 * [0, min(max, base·2^retry)). Full jitter spreads synchronized clients out best.
 * `retryIndex` is 0 for the first retry.
 */
export function backoffDelayMs(retryIndex: number, opts: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** retryIndex);
  if (opts.jitter === 'none') return ceiling;
  return Math.floor(random() * ceiling);
}
