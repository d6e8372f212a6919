/**
 * What a reasoning pattern spent: every pattern makes several model calls, and the caller needs the
 * total (tokens and USD) of all of them, not just the last one's, to see the pattern's real price.
 */
import { addUsage, emptyUsage, type Usage } from '../core/usage.js';
import type { GenerateResult } from '../models/language-model.js';

export interface Spend {
  /** Model calls that returned a result (failed calls spend nothing we can see). */
  calls: number;
  usage: Usage;
  /** USD summed over calls whose price was known. */
  costUsd: number;
  /** Calls that returned no `costUsd` (unknown price): when > 0, `costUsd` is a lower bound. */
  unpricedCalls: number;
}

export function emptySpend(): Spend {
  return { calls: 0, usage: emptyUsage(), costUsd: 0, unpricedCalls: 0 };
}

/** Mutable accumulator, used inside one pattern run; `snapshot()` is what the caller gets. */
export class SpendMeter {
  private spend: Spend = emptySpend();

  record(result: Pick<GenerateResult, 'usage' | 'costUsd'>): void {
    this.spend.calls++;
    this.spend.usage = addUsage(this.spend.usage, result.usage);
    if (result.costUsd === undefined) this.spend.unpricedCalls++;
    else this.spend.costUsd += result.costUsd;
  }

  /** Folds in another pattern's spend (e.g. self-consistency's samples, a cascade's classifier). */
  add(other: Spend): void {
    this.spend = combineSpend(this.spend, other);
  }

  get totalTokens(): number {
    return this.spend.usage.inputTokens + this.spend.usage.outputTokens;
  }

  get calls(): number {
    return this.spend.calls;
  }

  snapshot(): Spend {
    return { ...this.spend, usage: { ...this.spend.usage } };
  }
}

export function combineSpend(a: Spend, b: Spend): Spend {
  return {
    calls: a.calls + b.calls,
    usage: addUsage(a.usage, b.usage),
    costUsd: a.costUsd + b.costUsd,
    unpricedCalls: a.unpricedCalls + b.unpricedCalls,
  };
}
