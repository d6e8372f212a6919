/**
 * Little's Law, L = λ·W: requests in flight = arrival rate × time in system. From a measured run
 * (λ = completed req/s, W = mean latency) it gives the concurrency the server actually held; for a
 * target rate (and optionally a target latency, else the measured one) the concurrent slots needed.
 */
export interface CapacityEstimate {
  /** λ, completed requests per second. */
  throughput: number;
  /** W, mean time in system in seconds. */
  meanLatencySeconds: number;
  /** L = λ·W: the mean number of requests in flight during the run. */
  inFlight: number;
  /** Slots needed to serve `rate` when each request takes `latencySeconds`: ⌈rate·latency⌉. */
  target?: { rate: number; latencySeconds: number; concurrency: number };
}

/** L = λ·W. */
export function littlesLawConcurrency(ratePerSecond: number, latencySeconds: number): number {
  return ratePerSecond * latencySeconds;
}

/** λ = L / W. */
export function littlesLawRate(concurrency: number, latencySeconds: number): number {
  return concurrency / latencySeconds;
}

export function estimateCapacity(throughput: number, meanLatencySeconds: number, targets: { rate?: number; latencySeconds?: number } = {}): CapacityEstimate {
  const estimate: CapacityEstimate = { throughput, meanLatencySeconds, inFlight: littlesLawConcurrency(throughput, meanLatencySeconds) };
  if (targets.rate !== undefined) {
    const latencySeconds = targets.latencySeconds ?? meanLatencySeconds;
    // The epsilon keeps 1000 × 0.2 = 200.00000000000003 at 200.
    estimate.target = { rate: targets.rate, latencySeconds, concurrency: Math.ceil(littlesLawConcurrency(targets.rate, latencySeconds) - 1e-9) };
  }
  return estimate;
}
