/** Budget rules (from config or code) and which of them apply to a request. */
import { ConduitError } from '../core/errors.js';
import { BUDGET_WINDOWS } from './budget-window.js';
import type { BudgetWindow } from './budget-window.js';
import { MAX_BUDGET_USD } from './money.js';

export type BudgetScope = 'key' | 'user' | 'team' | 'global';

export interface BudgetRule {
  /** Unique; names the budget in refusals and alerts unless `name` is given. */
  id: string;
  /** Human label for messages, e.g. `team-alpha/day` (default: `id`). */
  name?: string;
  scope: BudgetScope;
  /**
   * Which key/user/team: an exact id, or `'*'` (the default) for a separate budget of the same size
   * for EACH key/user/team. Ignored for `global`.
   */
  scopeId?: string;
  /** Calendar window in UTC (see budget-window.ts). */
  window: BudgetWindow;
  /** USD per window; 0 blocks every request in scope. */
  limitUsd: number;
  /** Fraction of the limit at which the soft alert fires once per window (default 0.8). */
  softAlertAt?: number;
}

/** Who is calling; any of these may be unknown, and rules on an unknown attribute do not apply. */
export interface BudgetContext {
  keyId?: string;
  userId?: string;
  team?: string;
}

const SCOPES: ReadonlySet<string> = new Set<BudgetScope>(['key', 'user', 'team', 'global']);

export function validateBudgetRules(rules: readonly BudgetRule[]): BudgetRule[] {
  const ids = new Set<string>();
  return rules.map((rule, i) => {
    const where = `budgets[${i}]`;
    const fail = (msg: string, field: string): never => {
      throw new ConduitError('invalid_request', `${where}: ${msg}`, { param: `${where}.${field}` });
    };
    if (typeof rule.id !== 'string' || rule.id === '') fail('id must be a non-empty string', 'id');
    if (ids.has(rule.id)) fail(`duplicate budget id '${rule.id}'`, 'id');
    ids.add(rule.id);
    if (!SCOPES.has(rule.scope)) fail(`scope must be key, user, team or global, got '${String(rule.scope)}'`, 'scope');
    if (!BUDGET_WINDOWS.includes(rule.window)) fail(`window must be hour, day or month, got '${String(rule.window)}'`, 'window');
    if (!Number.isFinite(rule.limitUsd) || rule.limitUsd < 0 || rule.limitUsd > MAX_BUDGET_USD) {
      fail(`limitUsd must be between 0 and ${MAX_BUDGET_USD}, got ${String(rule.limitUsd)}`, 'limitUsd');
    }
    const soft = rule.softAlertAt ?? 0.8;
    if (!Number.isFinite(soft) || soft <= 0 || soft > 1) fail(`softAlertAt must be in (0, 1], got ${String(soft)}`, 'softAlertAt');
    if (rule.scopeId !== undefined && rule.scopeId.includes('|')) fail("scopeId may not contain '|'", 'scopeId');
    return { ...rule, softAlertAt: soft, scopeId: rule.scope === 'global' ? undefined : (rule.scopeId ?? '*') };
  });
}

/** The id this rule counts against for this caller, or undefined when the rule does not apply. */
export function scopeValueOf(rule: BudgetRule, ctx: BudgetContext): string | undefined {
  if (rule.scope === 'global') return 'global';
  const actual = rule.scope === 'key' ? ctx.keyId : rule.scope === 'user' ? ctx.userId : ctx.team;
  if (actual === undefined || actual === '') return undefined;
  if (rule.scopeId === '*' || rule.scopeId === undefined) return actual;
  return rule.scopeId === actual ? actual : undefined;
}

/** `team-alpha/day`, or `per-key/day[key_123]` for a rule that gives each key its own budget. */
export function budgetLabel(rule: BudgetRule, scopeValue: string): string {
  const base = rule.name ?? rule.id;
  const each = rule.scope !== 'global' && (rule.scopeId === undefined || rule.scopeId === '*');
  return each ? `${base}[${scopeValue}]` : base;
}
