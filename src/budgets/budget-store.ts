/**
 * The budget counter port. Amounts are integer nano-dollars (money.ts). One counter per budget
 * window holds `spent` (committed actual cost) and `reserved` (estimates of requests in flight,
 * each held under its reservation id until committed, released or expired).
 *
 * The one operation that must be atomic is `reserve`: for EVERY line, check
 * `spent + reserved < limit` and `spent + reserved + amount <= limit`, and only if all pass add
 * `amount` to each `reserved`. The embedded adapter does it on one thread; the Redis adapter in one
 * Lua script, so replicas sharing Redis cannot both take the last dollar.
 */
export interface BudgetCounter {
  spent: number;
  reserved: number;
}

export interface ReserveLine {
  /** The counter: budget id, scope value and window start. */
  key: string;
  limit: number;
  amount: number;
  /** How long the counter should live from now (until its window ends, plus grace for late commits). */
  ttlMs: number;
}

export type ReserveOutcome =
  | { status: 'reserved'; counters: BudgetCounter[] } // counters after reserving
  | { status: 'refused'; index: number; counter: BudgetCounter } // the first line that did not fit, nothing reserved
  | { status: 'uninitialized'; indices: number[] }; // these counters do not exist yet: rebuild them from the ledger, then retry

export interface SettleLine {
  key: string;
  /** Actual cost to add to `spent` (0 to release). */
  charge: number;
}

export interface BudgetStore {
  readonly kind: 'embedded' | 'redis';
  reserve(input: { reservationId: string; now: number; reservationExpiresAt: number; lines: readonly ReserveLine[] }): Promise<ReserveOutcome>;
  /** Creates the counter with `spent` if it does not exist yet (another replica may have won: then nothing happens). */
  initialize(input: { key: string; spent: number; ttlMs: number; now: number }): Promise<void>;
  /**
   * Drops the reservation's hold on each counter and adds `charge` to `spent`. A counter that no
   * longer exists (window over, or Redis flushed) is left alone and reported as null: it will be
   * rebuilt from the ledger, which has this request.
   */
  settle(input: { reservationId: string; now: number; lines: readonly SettleLine[] }): Promise<Array<BudgetCounter | null>>;
  read(input: { keys: readonly string[]; now: number }): Promise<Array<BudgetCounter | null>>;
  /** True for the first caller only (across replicas) until `ttlMs` passes: alert de-duplication. */
  claimOnce(input: { key: string; ttlMs: number; now: number }): Promise<boolean>;
  close(): Promise<void>;
}
