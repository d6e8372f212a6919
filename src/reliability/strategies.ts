/**
 * Deployment selection strategies for a router alias. Each picks one of the currently eligible
 * deployments (healthy, circuit not open, not yet tried by this request); the router calls again
 * with the remaining ones to fail over.
 */

export type RoutingStrategy = 'weighted' | 'least-busy' | 'lowest-latency' | 'ordered';

export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['weighted', 'least-busy', 'lowest-latency', 'ordered'];

/** What a strategy may look at. */
export interface DeploymentLoad {
  id: string;
  /** Position in the alias's configuration (for `ordered`). */
  index: number;
  weight: number;
  /** Requests currently in flight on this deployment. */
  inFlight: number;
  /** Moving average of latency (time to first content for streams); undefined until measured. */
  latencyEmaMs: number | undefined;
}

export function chooseDeployment<T extends DeploymentLoad>(strategy: RoutingStrategy, candidates: readonly T[], random: () => number): T | undefined {
  if (candidates.length <= 1) return candidates[0];
  switch (strategy) {
    case 'ordered':
      return candidates.reduce((best, c) => (c.index < best.index ? c : best));
    case 'weighted':
      return chooseWeighted(candidates, random);
    case 'least-busy': {
      const fewest = Math.min(...candidates.map((c) => c.inFlight));
      return pickRandom(
        candidates.filter((c) => c.inFlight === fewest),
        random,
      );
    }
    case 'lowest-latency': {
      // Unmeasured deployments go first: they must be tried once before they can be compared.
      const unmeasured = candidates.filter((c) => c.latencyEmaMs === undefined);
      if (unmeasured.length > 0) return pickRandom(unmeasured, random);
      const fastest = Math.min(...candidates.map((c) => c.latencyEmaMs ?? Infinity));
      return pickRandom(
        candidates.filter((c) => c.latencyEmaMs === fastest),
        random,
      );
    }
  }
}

/** Random pick proportional to weight; when every weight is 0, uniform. */
export function chooseWeighted<T extends DeploymentLoad>(candidates: readonly T[], random: () => number): T | undefined {
  const total = candidates.reduce((sum, c) => sum + c.weight, 0);
  if (total <= 0) return pickRandom(candidates, random);
  let r = random() * total;
  for (const c of candidates) {
    if (c.weight <= 0) continue;
    if (r < c.weight) return c;
    r -= c.weight;
  }
  // Floating-point leftovers land on the last positive weight.
  return [...candidates].reverse().find((c) => c.weight > 0);
}

function pickRandom<T>(items: readonly T[], random: () => number): T | undefined {
  if (items.length === 0) return undefined;
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}

/** Exponential moving average; the first sample seeds it. */
export function updateEma(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : alpha * sample + (1 - alpha) * previous;
}
