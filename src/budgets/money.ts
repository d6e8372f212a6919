/**
 * Budget counters count integer nano-dollars (1e-9 USD), never floats: Redis HINCRBY and Lua compare
 * integers exactly, and 50 × $0.05 must equal $2.50, not $2.5000000000000004. A double holds
 * integers exactly up to 2^53 nano-dollars, about $9,007,199 — the ceiling for one budget window.
 */
export const NANOS_PER_USD = 1_000_000_000;
export const MAX_BUDGET_USD = 9_000_000;

export function toNanoUsd(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

export function fromNanoUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** `$10.02`; amounts below a cent keep two significant digits (`$0.0042`) so they never read as `$0.00`. */
export function formatUsd(usd: number): string {
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${Number(usd.toPrecision(2))}`;
  return `$${usd.toFixed(2)}`;
}
