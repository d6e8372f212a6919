/** What a budget alert says; the webhook receives exactly this object as its JSON body. */
import type { BudgetScope } from './budget-rule.js';
import type { BudgetWindow } from './budget-window.js';

export interface BudgetAlert {
  /** `soft`: committed spend reached softAlertAt × limit; `exhausted`: the first refusal in the window. */
  level: 'soft' | 'exhausted';
  budgetId: string;
  /** The label used in messages, e.g. `team-alpha/day` or `per-key/day[key_123]`. */
  budget: string;
  scope: BudgetScope;
  /** The key, user or team id this budget counted (`global` for global budgets). */
  scopeValue: string;
  window: BudgetWindow;
  /** ISO 8601, UTC. */
  windowStart: string;
  windowEnd: string;
  limitUsd: number;
  spentUsd: number;
  /** The fraction that triggered a soft alert (e.g. 0.8); 1 for exhausted. */
  threshold: number;
  message: string;
  /** When the alert was raised, ISO 8601. */
  ts: string;
}

export type BudgetAlertHandler = (alert: BudgetAlert) => void | Promise<void>;
