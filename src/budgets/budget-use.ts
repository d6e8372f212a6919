/**
 * How much of each configured budget is used in its current window, read from the usage ledger
 * (the source of truth for money). One reader for everything that shows or watches budgets: the
 * console's overview and the `budget_use` alert rule. A rule scoped to "each key/user/team" (`*`)
 * reports the member closest to its limit: that is the one about to be refused.
 */
import type { SpendRange, SpendRow, SpendTotals, SpendQuery } from '../ledger/spend-query.js';
import type { BudgetRule } from './budget-rule.js';
import { windowBounds } from './budget-window.js';

export interface BudgetUse {
  id: string;
  name: string;
  scope: BudgetRule['scope'];
  /** The key / user / team the figure is for (`global` for global rules; null when nobody spent yet). */
  scopeValue: string | null;
  window: BudgetRule['window'];
  limitUsd: number;
  spentUsd: number;
  /** spentUsd / limitUsd; null for a zero limit. */
  used: number | null;
  resetsAt: string;
}

export interface BudgetUseLedger {
  total(range: SpendRange): Promise<SpendTotals>;
  spend(query: SpendQuery): Promise<SpendRow[]>;
}

export async function readBudgetUse(ledger: BudgetUseLedger, rules: readonly BudgetRule[], now: number = Date.now()): Promise<BudgetUse[]> {
  const out: BudgetUse[] = [];
  for (const rule of rules) {
    const { start, end } = windowBounds(rule.window, now);
    let spentUsd: number;
    let scopeValue: string | null = rule.scope === 'global' ? 'global' : (rule.scopeId ?? '*');
    if (rule.scope === 'global') {
      spentUsd = (await ledger.total({ from: start, to: now + 1 })).costUsd;
    } else if (rule.scopeId !== undefined && rule.scopeId !== '*') {
      const field = rule.scope === 'key' ? 'keyId' : rule.scope === 'user' ? 'userId' : 'team';
      spentUsd = (await ledger.total({ from: start, to: now + 1, filter: { [field]: rule.scopeId } })).costUsd;
    } else {
      const rows = await ledger.spend({ from: start, to: now + 1, groupBy: rule.scope });
      const top = rows.filter((r) => r.group !== null).sort((a, b) => b.costUsd - a.costUsd)[0];
      spentUsd = top?.costUsd ?? 0;
      scopeValue = top?.group ?? null;
    }
    out.push({
      id: rule.id,
      name: rule.name ?? rule.id,
      scope: rule.scope,
      scopeValue,
      window: rule.window,
      limitUsd: rule.limitUsd,
      spentUsd,
      used: rule.limitUsd > 0 ? spentUsd / rule.limitUsd : null,
      resetsAt: new Date(end).toISOString(),
    });
  }
  return out;
}
