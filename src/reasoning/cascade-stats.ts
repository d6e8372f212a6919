/**
 * Per-tier counters for the input cascade, kept across calls: how often each tier was reached,
 * answered and failed, how long it took and what it cost. This is the "track which tier handled
 * each query" and cost-attribution requirement of the guides' banking-bot cascade.
 */
import { addUsage, emptyUsage, type Usage } from '../core/usage.js';
import type { Spend } from './spend.js';

export type CascadeTier = 'rules' | 'classifier' | 'context' | 'model' | 'validation' | 'handoff';
export const CASCADE_TIERS: readonly CascadeTier[] = ['rules', 'classifier', 'context', 'model', 'validation', 'handoff'];

export interface TierStats {
  /** Queries that reached this tier. */
  reached: number;
  /** Queries this tier produced the final answer for. */
  answered: number;
  /** Tier failures: a throwing classifier/context source, a failed model call, a rejected output. */
  failed: number;
  /** Wall-clock ms spent in this tier, summed. */
  totalLatencyMs: number;
  /** Model calls made by this tier. */
  calls: number;
  usage: Usage;
  costUsd: number;
}

export interface CascadeStatsSnapshot {
  queries: number;
  totalCostUsd: number;
  tiers: Record<CascadeTier, TierStats & { meanLatencyMs: number }>;
}

export class CascadeStats {
  private queries = 0;
  private readonly tiers = new Map<CascadeTier, TierStats>(CASCADE_TIERS.map((t) => [t, emptyTier()]));

  countQuery(): void {
    this.queries++;
  }

  reached(tier: CascadeTier, latencyMs: number): void {
    const s = this.tier(tier);
    s.reached++;
    s.totalLatencyMs += latencyMs;
  }

  answered(tier: CascadeTier): void {
    this.tier(tier).answered++;
  }

  failed(tier: CascadeTier): void {
    this.tier(tier).failed++;
  }

  spent(tier: CascadeTier, spend: Spend): void {
    const s = this.tier(tier);
    s.calls += spend.calls;
    s.usage = addUsage(s.usage, spend.usage);
    s.costUsd += spend.costUsd;
  }

  snapshot(): CascadeStatsSnapshot {
    const tiers = {} as CascadeStatsSnapshot['tiers'];
    let totalCostUsd = 0;
    for (const tier of CASCADE_TIERS) {
      const s = this.tier(tier);
      totalCostUsd += s.costUsd;
      tiers[tier] = { ...s, usage: { ...s.usage }, meanLatencyMs: s.reached === 0 ? 0 : s.totalLatencyMs / s.reached };
    }
    return { queries: this.queries, totalCostUsd, tiers };
  }

  reset(): void {
    this.queries = 0;
    for (const tier of CASCADE_TIERS) this.tiers.set(tier, emptyTier());
  }

  private tier(tier: CascadeTier): TierStats {
    let s = this.tiers.get(tier);
    if (!s) {
      s = emptyTier();
      this.tiers.set(tier, s);
    }
    return s;
  }
}

function emptyTier(): TierStats {
  return { reached: 0, answered: 0, failed: 0, totalLatencyMs: 0, calls: 0, usage: emptyUsage(), costUsd: 0 };
}
