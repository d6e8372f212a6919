/**
 * Capacity planning with Little's Law: L = λ × W — requests in the system equal the arrival rate
 * times the time each spends in it. It holds for any stable system whatever the distributions,
 * which is why it works from averages alone; it assumes a steady state (arrivals ≈ departures)
 * and applies per stage (here: the gateway and its upstream calls, which span the same time).
 */
import { ConduitError } from '../../core/errors.js';

export interface CapacityInput {
  /** λ, requests per second. */
  arrivalRatePerSecond: number;
  /** W, mean seconds a request spends in the gateway (arrival to last byte). */
  timeInSystemSeconds: number;
}

export interface CapacityAssumptions {
  /**
   * Concurrent requests one replica is planned to carry. Default 256: half of the provider HTTP
   * pool's 512 connections per origin (src/models/http/provider-http.ts), so retries and failovers
   * still find free connections; the gateway's own CPU per request is a few µs, so on one core the
   * pool, not the CPU, is the first limit for LLM-length requests.
   */
  perReplicaConcurrency: number;
  /** Extra fraction over the steady-state L for bursts (default 0.3: plan for 130 %). */
  headroom: number;
}

export const DEFAULT_CAPACITY_ASSUMPTIONS: CapacityAssumptions = { perReplicaConcurrency: 256, headroom: 0.3 };

export interface CapacityPlan extends CapacityInput {
  /** L = λ × W. */
  concurrentRequests: number;
  /** L × (1 + headroom), rounded up: what to provision. */
  plannedConcurrency: number;
  /** One upstream connection per in-flight model request (keep-alive pool, no HTTP/1.1 pipelining). */
  upstreamConnections: number;
  replicas: number;
  assumptions: CapacityAssumptions;
}

export function planCapacity(input: CapacityInput, assumptions: CapacityAssumptions = DEFAULT_CAPACITY_ASSUMPTIONS): CapacityPlan {
  const { arrivalRatePerSecond: rate, timeInSystemSeconds: w } = input;
  if (!(rate >= 0) || !Number.isFinite(rate)) throw invalid('arrival rate must be a finite number ≥ 0');
  if (!(w >= 0) || !Number.isFinite(w)) throw invalid('time in system must be a finite number ≥ 0');
  if (!(assumptions.perReplicaConcurrency > 0)) throw invalid('per-replica concurrency must be > 0');
  if (!(assumptions.headroom >= 0)) throw invalid('headroom must be ≥ 0');
  const concurrentRequests = rate * w;
  // Round before ceil so 200 × 1.3 = 260.00000000000003 stays 260.
  const plannedConcurrency = Math.ceil(round9(concurrentRequests * (1 + assumptions.headroom)));
  return {
    ...input,
    concurrentRequests,
    plannedConcurrency,
    upstreamConnections: plannedConcurrency,
    replicas: Math.max(1, Math.ceil(round9(plannedConcurrency / assumptions.perReplicaConcurrency))),
    assumptions,
  };
}

/** The other direction: the throughput a concurrency limit allows at a given time in system (λ = L / W). */
export function maxThroughput(concurrency: number, timeInSystemSeconds: number): number {
  if (!(timeInSystemSeconds > 0)) throw invalid('time in system must be > 0');
  return concurrency / timeInSystemSeconds;
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function invalid(message: string): ConduitError {
  return new ConduitError('invalid_request', message, { code: 'invalid_capacity_input' });
}
