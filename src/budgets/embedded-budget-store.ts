/**
 * In-process budget counters for a single gateway process. JavaScript runs one callback at a time,
 * so check-and-reserve is atomic without locks. Counters start empty and are rebuilt from the SQL
 * ledger (the source of truth) the first time each window is touched after start.
 */
import type { BudgetCounter, BudgetStore, ReserveLine, ReserveOutcome, SettleLine } from './budget-store.js';

interface Counter {
  spent: number;
  reserved: number;
  expiresAt: number;
  /** reservation id → [amount, expiresAt] */
  holds: Map<string, [number, number]>;
  /**
   * At most the earliest expiry among `holds` (a lower bound: settling a hold does not raise it).
   * Until the clock reaches it no hold can have expired, so `reserve` skips the scan of every hold
   * in flight that it would otherwise do on each request.
   */
  holdsExpireFrom: number;
}

// Expired counters are swept every this many operations, so memory stays bounded by live windows.
const SWEEP_EVERY = 1000;

export function createEmbeddedBudgetStore(): BudgetStore {
  const counters = new Map<string, Counter>();
  const claims = new Map<string, number>();
  let ops = 0;

  function live(key: string, now: number): Counter | undefined {
    const c = counters.get(key);
    if (c === undefined) return undefined;
    if (c.expiresAt <= now) {
      counters.delete(key);
      return undefined;
    }
    return c;
  }

  function sweep(now: number): void {
    if (++ops % SWEEP_EVERY !== 0) return;
    for (const [k, c] of counters) if (c.expiresAt <= now) counters.delete(k);
    for (const [k, exp] of claims) if (exp <= now) claims.delete(k);
  }

  function dropExpiredHolds(c: Counter, now: number): void {
    if (now < c.holdsExpireFrom) return;
    let earliest = Infinity;
    for (const [id, hold] of c.holds) {
      const exp = hold[1];
      if (exp <= now) {
        c.reserved -= hold[0];
        c.holds.delete(id);
      } else if (exp < earliest) earliest = exp;
    }
    c.holdsExpireFrom = earliest;
  }

  const snapshot = (c: Counter): BudgetCounter => ({ spent: c.spent, reserved: c.reserved });

  return {
    kind: 'embedded',

    async reserve({ reservationId, now, reservationExpiresAt, lines }): Promise<ReserveOutcome> {
      sweep(now);
      const found: (Counter | undefined)[] = new Array<Counter | undefined>(lines.length);
      let missing: number[] | undefined;
      for (let i = 0; i < lines.length; i++) {
        const c = live((lines[i] as ReserveLine).key, now);
        found[i] = c;
        if (c === undefined) (missing ??= []).push(i);
      }
      if (missing !== undefined) return { status: 'uninitialized', indices: missing };
      for (let i = 0; i < lines.length; i++) {
        const c = found[i]!;
        const line = lines[i]!;
        dropExpiredHolds(c, now);
        const used = c.spent + c.reserved;
        if (used >= line.limit || used + line.amount > line.limit) return { status: 'refused', index: i, counter: snapshot(c) };
      }
      const counters: BudgetCounter[] = new Array<BudgetCounter>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const c = found[i]!;
        c.reserved += line.amount;
        c.holds.set(reservationId, [line.amount, reservationExpiresAt]);
        if (reservationExpiresAt < c.holdsExpireFrom) c.holdsExpireFrom = reservationExpiresAt;
        c.expiresAt = Math.max(c.expiresAt, now + line.ttlMs);
        counters[i] = snapshot(c);
      }
      return { status: 'reserved', counters };
    },

    async initialize({ key, spent, ttlMs, now }) {
      if (live(key, now) !== undefined) return;
      counters.set(key, { spent, reserved: 0, expiresAt: now + ttlMs, holds: new Map(), holdsExpireFrom: Infinity });
    },

    async settle({ reservationId, now, lines }) {
      return lines.map((line: SettleLine) => {
        const c = live(line.key, now);
        if (c === undefined) return null;
        const hold = c.holds.get(reservationId);
        if (hold !== undefined) {
          c.reserved -= hold[0];
          c.holds.delete(reservationId);
        }
        c.spent += line.charge;
        return snapshot(c);
      });
    },

    async read({ keys, now }) {
      return keys.map((k) => {
        const c = live(k, now);
        if (c === undefined) return null;
        dropExpiredHolds(c, now);
        return snapshot(c);
      });
    },

    async claimOnce({ key, ttlMs, now }) {
      const exp = claims.get(key);
      if (exp !== undefined && exp > now) return false;
      claims.set(key, now + ttlMs);
      return true;
    },

    async close() {
      counters.clear();
      claims.clear();
    },
  };
}
