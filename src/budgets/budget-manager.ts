/**
 * Budgets with bounded overshoot, called by the gateway around every model call:
 *
 *   const { reservation } = await budgets.reserve(ctx, estimatedCostUsd); // throws when a budget is spent
 *   try { …call the model…; await budgets.commit(reservation, actualCostUsd); }
 *   catch (err) { await budgets.release(reservation); throw err; }   // release only when nothing was billed
 *
 * THE OVERSHOOT BOUND. `reserve` checks, atomically in the store and for every budget that applies
 * (key, user, team, global), that `spent + reserved + estimate <= limit` (and `spent + reserved < limit`),
 * and only then adds the estimate to `reserved`. `commit` swaps the estimate for the actual cost.
 * So at the moment of the last admission in a window, committed spend plus the estimates of all
 * requests in flight fit in the limit, and afterwards each of those requests can only move spend
 * by (actual − estimate). Hence, for every budget and window:
 *
 *   final spent  <=  limit  +  Σ over the requests in flight at the last admission of max(0, actual − estimate)
 *
 * — concurrent requests cannot overshoot by more than the requests already in flight, and not at
 * all when estimates are upper bounds of the actual cost (estimate with max_tokens to make them so).
 * This holds across replicas because the check-and-reserve is one Redis Lua script. Exceptions,
 * each deliberate: (1) a request that outlives `reservationTtlMs` loses its hold (so a crashed
 * replica cannot block a budget forever) and is then no longer counted as in flight; (2) with
 * `failMode: 'open'`, requests admitted while the store is unreachable are not counted at all;
 * (3) after Redis loses its data, counters are rebuilt from the SQL ledger, which does not know
 * the holds of requests in flight at that moment (nor commits not yet written to the ledger).
 *
 * A commit is charged to the windows its reservation was made in (the request's start), so a
 * request that straddles midnight counts in the day it started; record the ledger event with
 * `ts = reservation.startedAt` so rebuilt counters agree.
 */
import { randomUUID } from 'node:crypto';
import { ConduitError, toConduitError } from '../core/errors.js';
import { isRedisUnavailableError } from '../store/redis/redis-errors.js';
import type { SpendFilter, SpendRange, SpendTotals } from '../ledger/spend-query.js';
import type { BudgetAlert, BudgetAlertHandler } from './budget-alert.js';
import { budgetExhaustedError, budgetStoreUnavailableError } from './budget-errors.js';
import { budgetLabel, scopeValueOf, validateBudgetRules } from './budget-rule.js';
import type { BudgetContext, BudgetRule, BudgetScope } from './budget-rule.js';
import type { BudgetCounter, BudgetStore } from './budget-store.js';
import { windowBounds } from './budget-window.js';
import type { BudgetWindow, WindowBounds } from './budget-window.js';
import { formatUsd, fromNanoUsd, toNanoUsd } from './money.js';

export type BudgetFailMode = 'open' | 'closed';

export interface BudgetManagerOptions {
  store: BudgetStore;
  budgets: readonly BudgetRule[];
  /** Soft (80%) and exhausted alerts, once per budget window across all replicas. Not awaited. */
  onAlert?: BudgetAlertHandler;
  /** Source of truth for rebuilding counters on start, at a new window, or after Redis lost them. Without it they start at 0. */
  ledger?: { total(range: SpendRange): Promise<SpendTotals> };
  /** Epoch ms; injectable for tests (default Date.now). */
  now?: () => number;
  /**
   * When the store (Redis) or the ledger cannot be reached: `closed` (default) refuses with 503
   * `budget_store_unavailable`; `open` lets the request through unenforced and reports onError.
   */
  failMode?: BudgetFailMode;
  /** A hold on budget is dropped after this long if never committed or released (default 15 minutes). */
  reservationTtlMs?: number;
  /** Store failures, alert-delivery failures, commits that could not be recorded. */
  onError?: (err: unknown) => void;
}

export interface ReservedBudget {
  budgetId: string;
  budget: string;
  window: BudgetWindow;
  windowStart: number;
  windowEnd: number;
}

export interface BudgetReservation {
  readonly id: string;
  /** Epoch ms of the reservation: use it as the ledger event's `ts`. */
  readonly startedAt: number;
  readonly estimatedCostUsd: number;
  /** False when the store was unreachable and failMode 'open' let the request through. */
  readonly enforced: boolean;
  readonly budgets: readonly ReservedBudget[];
}

export interface BudgetStatus extends ReservedBudget {
  scope: BudgetScope;
  scopeValue: string;
  limitUsd: number;
  spentUsd: number;
  /** Estimates of requests in flight. */
  reservedUsd: number;
  remainingUsd: number;
}

export interface BudgetManager {
  readonly rules: readonly BudgetRule[];
  /** Holds `estimatedCostUsd` on every applicable budget, or throws ConduitError (policy_refusal, 429, insufficient_quota) naming the budget. */
  reserve(ctx: BudgetContext, estimatedCostUsd: number): Promise<{ ok: true; reservation: BudgetReservation }>;
  /** Charges the actual cost (the estimate when undefined/null: unknown price) and drops the hold. Idempotent; never throws for store failures (reported to onError). */
  commit(reservation: BudgetReservation, actualCostUsd?: number | null): Promise<void>;
  /** Drops the hold without charging (the call failed before anything was billed). Idempotent. */
  release(reservation: BudgetReservation): Promise<void>;
  /** Current spend of every budget that applies to ctx. */
  status(ctx: BudgetContext): Promise<BudgetStatus[]>;
  /** Waits for alert deliveries in progress (graceful shutdown, tests). */
  flushAlerts(): Promise<void>;
}

interface Line {
  rule: BudgetRule;
  scopeValue: string;
  label: string;
  bounds: WindowBounds;
  key: string;
  limit: number;
  /** What a reservation reports for this line; frozen, so every reservation in the window can share it. */
  reserved: ReservedBudget;
}

interface ReservationState {
  lines: Line[];
  settled: boolean;
}

// Counters outlive their window by this much so that late commits still land and holds can expire.
const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000;
const MAX_INIT_ROUNDS = 3;

function ledgerFilter(scope: BudgetScope, scopeValue: string): SpendFilter {
  switch (scope) {
    case 'key':
      return { keyId: scopeValue };
    case 'user':
      return { userId: scopeValue };
    case 'team':
      return { team: scopeValue };
    case 'global':
      return {};
  }
}

export function createBudgetManager(options: BudgetManagerOptions): BudgetManager {
  const rules = validateBudgetRules(options.budgets);
  const { store, ledger } = options;
  const now = options.now ?? Date.now;
  const failMode = options.failMode ?? 'closed';
  const reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const onError = options.onError ?? (() => {});
  const states = new WeakMap<BudgetReservation, ReservationState>();
  const initializing = new Map<string, Promise<void>>();
  // Alert keys this replica has already tried to claim: skip the store round trip on later commits.
  const alertAttempted = new Set<string>();
  const deliveries = new Set<Promise<void>>();

  // The line of a (rule, scope value) stays the same for a whole window: built once per window, not
  // per request (window bounds, label, counter key). Lines are never mutated, so sharing is safe.
  const lineMemo = new Map<string, Line>();
  const MAX_MEMO_LINES = 10_000;

  function linesFor(ctx: BudgetContext, at: number): Line[] {
    const lines: Line[] = [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const scopeValue = scopeValueOf(rule, ctx);
      if (scopeValue === undefined) continue;
      const memoKey = `${i}|${scopeValue}`;
      let line = lineMemo.get(memoKey);
      if (line === undefined || at < line.bounds.start || at >= line.bounds.end) {
        const bounds = windowBounds(rule.window, at);
        const label = budgetLabel(rule, scopeValue);
        line = {
          rule,
          scopeValue,
          label,
          bounds,
          key: `${rule.id}|${encodeURIComponent(scopeValue)}|${new Date(bounds.start).toISOString()}`,
          limit: toNanoUsd(rule.limitUsd),
          reserved: Object.freeze({ budgetId: rule.id, budget: label, window: rule.window, windowStart: bounds.start, windowEnd: bounds.end }),
        };
        if (lineMemo.size >= MAX_MEMO_LINES) lineMemo.clear();
        lineMemo.set(memoKey, line);
      }
      lines.push(line);
    }
    return lines;
  }

  const ttlFor = (line: Line, at: number) => line.bounds.end - at + reservationTtlMs;

  /** Creates a missing counter from the ledger's spend in its window; one ledger query per counter per replica. */
  function initialize(line: Line, at: number): Promise<void> {
    const existing = initializing.get(line.key);
    if (existing) return existing;
    const p = (async () => {
      let spent = 0;
      if (ledger) {
        const totals = await ledger.total({ from: line.bounds.start, to: line.bounds.end, filter: ledgerFilter(line.rule.scope, line.scopeValue) });
        spent = toNanoUsd(totals.costUsd);
      }
      await store.initialize({ key: line.key, spent, ttlMs: ttlFor(line, at), now: at });
    })().finally(() => initializing.delete(line.key));
    initializing.set(line.key, p);
    return p;
  }

  /** Store and ledger failures: a script bug always surfaces; unavailability follows the fail mode. */
  function unavailable(err: unknown): boolean {
    if (store.kind === 'redis' && err instanceof Error && err.name === 'ReplyError' && !isRedisUnavailableError(err)) return false;
    return !(err instanceof ConduitError && err.kind === 'invalid_request');
  }

  function deliver(alert: BudgetAlert): void {
    if (!options.onAlert) return;
    const handler = options.onAlert;
    const p: Promise<void> = Promise.resolve()
      .then(() => handler(alert))
      .then(
        () => undefined,
        (err: unknown) => onError(err),
      )
      .finally(() => deliveries.delete(p));
    deliveries.add(p);
  }

  async function alertOnce(level: BudgetAlert['level'], line: Line, counter: BudgetCounter, at: number, message: string): Promise<void> {
    if (!options.onAlert) return;
    const claimKey = `${level}|${line.key}`;
    if (alertAttempted.has(claimKey)) return;
    alertAttempted.add(claimKey);
    if (alertAttempted.size > 100_000) alertAttempted.clear(); // old windows; the store still de-duplicates
    const won = await store.claimOnce({ key: claimKey, ttlMs: ttlFor(line, at), now: at });
    if (!won) return;
    deliver({
      level,
      budgetId: line.rule.id,
      budget: line.label,
      scope: line.rule.scope,
      scopeValue: line.scopeValue,
      window: line.rule.window,
      windowStart: new Date(line.bounds.start).toISOString(),
      windowEnd: new Date(line.bounds.end).toISOString(),
      limitUsd: line.rule.limitUsd,
      spentUsd: fromNanoUsd(counter.spent),
      threshold: level === 'soft' ? line.rule.softAlertAt! : 1,
      message,
      ts: new Date(at).toISOString(),
    });
  }

  function makeReservation(lines: Line[], at: number, estimate: number, enforced: boolean, id: string = randomUUID()): BudgetReservation {
    const reservation: BudgetReservation = Object.freeze({
      id,
      startedAt: at,
      estimatedCostUsd: estimate,
      enforced,
      budgets: lines.map((l) => l.reserved),
    });
    states.set(reservation, { lines: enforced ? lines : [], settled: false });
    return reservation;
  }

  async function settle(reservation: BudgetReservation, charge: number | undefined): Promise<void> {
    const state = states.get(reservation);
    if (state === undefined) throw new ConduitError('invalid_request', 'not a reservation made by this budget manager');
    if (state.settled) return;
    state.settled = true;
    if (state.lines.length === 0) return;
    const at = now();
    try {
      const counters = await store.settle({
        reservationId: reservation.id,
        now: at,
        lines: state.lines.map((l) => ({ key: l.key, charge: charge ?? 0 })),
      });
      if (charge === undefined) return;
      for (let i = 0; i < state.lines.length; i++) {
        const line = state.lines[i]!;
        const counter = counters[i];
        if (!counter || line.limit === 0) continue;
        const threshold = line.rule.softAlertAt!;
        if (counter.spent >= threshold * line.limit) {
          const pct = Math.round((counter.spent / line.limit) * 100);
          const message = `budget ${line.label} at ${pct}%: ${formatUsd(fromNanoUsd(counter.spent))} of ${formatUsd(line.rule.limitUsd)} spent (${line.rule.window} window)`;
          await alertOnce('soft', line, counter, at, message);
        }
      }
    } catch (err) {
      onError(toConduitError(err));
    }
  }

  return {
    rules,

    async reserve(ctx, estimatedCostUsd) {
      if (!Number.isFinite(estimatedCostUsd) || estimatedCostUsd < 0) {
        throw new ConduitError('invalid_request', `estimated cost must be a non-negative number, got ${String(estimatedCostUsd)}`);
      }
      const at = now();
      const lines = linesFor(ctx, at);
      if (lines.length === 0) return { ok: true, reservation: makeReservation(lines, at, estimatedCostUsd, true) };
      const amount = toNanoUsd(estimatedCostUsd);
      const reservationId = randomUUID();
      try {
        for (let round = 0; round < MAX_INIT_ROUNDS; round++) {
          const outcome = await store.reserve({
            reservationId,
            now: at,
            reservationExpiresAt: at + reservationTtlMs,
            lines: lines.map((l) => ({ key: l.key, limit: l.limit, amount, ttlMs: ttlFor(l, at) })),
          });
          if (outcome.status === 'uninitialized') {
            await Promise.all(outcome.indices.map((i) => initialize(lines[i]!, at)));
            continue;
          }
          if (outcome.status === 'refused') {
            const line = lines[outcome.index]!;
            const err = budgetExhaustedError({
              budget: line.label,
              window: line.rule.window,
              limitUsd: line.rule.limitUsd,
              spentUsd: fromNanoUsd(outcome.counter.spent),
              reservedUsd: fromNanoUsd(outcome.counter.reserved),
              estimatedCostUsd,
              windowEnd: line.bounds.end,
              now: at,
            });
            if (outcome.counter.spent + outcome.counter.reserved >= line.limit) {
              await alertOnce('exhausted', line, outcome.counter, at, err.message).catch(onError);
            }
            throw err;
          }
          // The store knows the hold by this id.
          return { ok: true, reservation: makeReservation(lines, at, estimatedCostUsd, true, reservationId) };
        }
        throw new ConduitError('internal', `budget counters for ${lines.map((l) => l.label).join(', ')} vanished while being initialised`);
      } catch (err) {
        if (err instanceof ConduitError && (err.code === 'insufficient_quota' || err.kind === 'internal' || err.kind === 'invalid_request')) throw err;
        if (!unavailable(err)) throw toConduitError(err);
        onError(err);
        if (failMode === 'closed') throw budgetStoreUnavailableError(err);
        return { ok: true, reservation: makeReservation(lines, at, estimatedCostUsd, false) };
      }
    },

    async commit(reservation, actualCostUsd) {
      const actual = actualCostUsd ?? reservation.estimatedCostUsd;
      if (!Number.isFinite(actual) || actual < 0) throw new ConduitError('invalid_request', `actual cost must be a non-negative number, got ${String(actual)}`);
      await settle(reservation, toNanoUsd(actual));
    },

    async release(reservation) {
      await settle(reservation, undefined);
    },

    async status(ctx) {
      const at = now();
      const lines = linesFor(ctx, at);
      let counters = await store.read({ keys: lines.map((l) => l.key), now: at });
      if (counters.some((c) => c === null)) {
        await Promise.all(lines.filter((_, i) => counters[i] === null).map((l) => initialize(l, at)));
        counters = await store.read({ keys: lines.map((l) => l.key), now: at });
      }
      return lines.map((l, i) => {
        const c = counters[i] ?? { spent: 0, reserved: 0 };
        return {
          budgetId: l.rule.id,
          budget: l.label,
          window: l.rule.window,
          windowStart: l.bounds.start,
          windowEnd: l.bounds.end,
          scope: l.rule.scope,
          scopeValue: l.scopeValue,
          limitUsd: l.rule.limitUsd,
          spentUsd: fromNanoUsd(c.spent),
          reservedUsd: fromNanoUsd(c.reserved),
          remainingUsd: Math.max(0, fromNanoUsd(l.limit - c.spent - c.reserved)),
        };
      });
    },

    async flushAlerts() {
      while (deliveries.size > 0) await Promise.all([...deliveries]);
    },
  };
}
