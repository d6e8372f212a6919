/**
 * Budget windows are CALENDAR windows in UTC, not rolling ones: `hour` is [hh:00, hh+1:00),
 * `day` is [00:00, 24:00) UTC, `month` is [the 1st 00:00, the next 1st 00:00) UTC. A budget
 * resets to zero at the boundary, the same instant on every replica whatever its local time zone,
 * and a spend report over the same UTC range gives the same number as the budget counter.
 */
export type BudgetWindow = 'hour' | 'day' | 'month';

export const BUDGET_WINDOWS: readonly BudgetWindow[] = ['hour', 'day', 'month'];

export interface WindowBounds {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms: the instant the budget resets. */
  end: number;
}

export function windowBounds(window: BudgetWindow, nowMs: number): WindowBounds {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (window) {
    case 'hour': {
      const start = Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours());
      return { start, end: start + 3_600_000 };
    }
    case 'day': {
      const start = Date.UTC(y, mo, d.getUTCDate());
      return { start, end: Date.UTC(y, mo, d.getUTCDate() + 1) };
    }
    case 'month':
      return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
  }
}
