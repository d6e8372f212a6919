/**
 * In-process rate limiter: one WindowLog per (scope, id, metric, window). Exact sliding-window
 * semantics identical to the Redis adapter. Node runs this synchronously, so a multi-check decision
 * is atomic without locks. Logs of idle scopes are dropped by a periodic sweep, so memory is bounded by
 * the scopes active within their window (plus one event per unit of limit at most).
 */
import { combineResults, normalizeCheck, scopePrefix, type NormalizedCheck } from './limit-check.js';
import type { LimitCheck, LimitCheckResult, LimitDecision, LimitTarget, LimitTicket, RateLimiter } from './types.js';
import { WindowLog } from './window-log.js';

export interface EmbeddedRateLimiterOptions {
  /** Clock used when `now` is not passed (default `Date.now`). */
  clock?: () => number;
  /** How often idle logs are swept (default 60 000 ms; 0 disables the timer — call `sweep()`). */
  sweepIntervalMs?: number;
}

/** Tickets are `t<n>` outside (LimitTicket.id is a string, as for Redis) and the number n inside the logs. */
const TICKET_PREFIX = 't';

/** The log-side number of a ticket this limiter issued; 0 (matches no event) for any other string. */
function ticketNumberOf(id: string): number {
  if (!id.startsWith(TICKET_PREFIX)) return 0;
  const n = Number(id.slice(TICKET_PREFIX.length));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

interface Entry {
  log: WindowLog;
  windowMs: number;
}

export class EmbeddedRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, Entry>();
  private readonly clock: () => number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private nextTicket = 0;

  constructor(options: EmbeddedRateLimiterOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref();
    }
  }

  /** Number of window logs held (for tests and metrics). */
  get size(): number {
    return this.logs.size;
  }

  async consume(checks: readonly LimitCheck[], now?: number): Promise<LimitDecision> {
    return this.decide(checks, now ?? this.clock(), true);
  }

  async peek(checks: readonly LimitCheck[], now?: number): Promise<LimitDecision> {
    return this.decide(checks, now ?? this.clock(), false);
  }

  async adjust(checks: readonly LimitCheck[], delta: number, ticket?: LimitTicket, now?: number): Promise<void> {
    const at = now ?? this.clock();
    const rounded = delta > 0 ? Math.ceil(delta) : -Math.ceil(-delta);
    if (rounded === 0) return;
    // Every check is validated before any log changes.
    const normalized = new Array<NormalizedCheck>(checks.length);
    for (let i = 0; i < checks.length; i++) normalized[i] = normalizeCheck(checks[i]!);
    const ticketNumber = ticket === undefined ? 0 : ticketNumberOf(ticket.id);
    for (let i = 0; i < normalized.length; i++) {
      const log = this.logFor(normalized[i]!, at);
      if (ticketNumber > 0 && log.adjust(ticketNumber, rounded)) continue;
      // Recorded with no ticket: nothing adjusts a correction itself.
      if (rounded > 0) log.add(at, rounded);
    }
  }

  async reset(target: LimitTarget): Promise<void> {
    const prefix = scopePrefix(target.scope, target.id) + (target.metric ? `${target.metric}:` : '');
    for (const name of [...this.logs.keys()]) if (name.startsWith(prefix)) this.logs.delete(name);
  }

  /** Drops logs whose every event has slid out of the window. */
  sweep(now: number = this.clock()): void {
    for (const [name, entry] of this.logs) {
      entry.log.prune(now - entry.windowMs);
      if (entry.log.size === 0) this.logs.delete(name);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.logs.clear();
  }

  // Plain loops over the (few) checks: this runs on every request of a rate-limited gateway.
  private decide(input: readonly LimitCheck[], now: number, consume: boolean): LimitDecision {
    const n = input.length;
    const checks = new Array<NormalizedCheck>(n);
    const logs = new Array<WindowLog>(n);
    const fits = new Array<boolean>(n);
    let allowed = true;
    for (let i = 0; i < n; i++) {
      const c = normalizeCheck(input[i]!);
      checks[i] = c;
      logs[i] = this.logFor(c, now);
    }
    for (let i = 0; i < n; i++) {
      const c = checks[i]!;
      // Two checks on the same log (same scope, id, metric, window) must see each other's cost.
      let earlier = 0;
      for (let j = 0; j < i; j++) if (checks[j]!.logName === c.logName) earlier += checks[j]!.cost;
      const fit = logs[i]!.used + earlier + c.cost <= c.limit;
      fits[i] = fit;
      if (!fit) allowed = false;
    }
    let ticketId: string | undefined;
    if (allowed && consume) {
      const ticket = ++this.nextTicket;
      ticketId = `${TICKET_PREFIX}${ticket}`;
      for (let i = 0; i < n; i++) logs[i]!.add(now, checks[i]!.cost, ticket);
    }
    const results = new Array<LimitCheckResult>(n);
    for (let i = 0; i < n; i++) results[i] = this.result(checks[i]!, logs[i]!, fits[i]!, now);
    if (!consume) this.dropEmpty(checks);
    return combineResults(results, now, ticketId);
  }

  private result(check: NormalizedCheck, log: WindowLog, fits: boolean, now: number): LimitCheckResult {
    const newest = log.newest();
    const tooLarge = !fits && check.cost > check.limit;
    return {
      scope: check.scope,
      id: check.id,
      metric: check.metric,
      limit: check.limit,
      windowMs: check.windowMs,
      cost: check.cost,
      allowed: fits,
      remaining: Math.max(0, check.limit - log.used),
      resetMs: newest === undefined ? 0 : Math.max(0, newest + check.windowMs - now),
      retryAfterMs: fits || tooLarge ? 0 : Math.max(0, log.timeWhenFits(check.cost, check.limit, check.windowMs) - now),
      tooLarge,
    };
  }

  private logFor(check: NormalizedCheck, now: number): WindowLog {
    let entry = this.logs.get(check.logName);
    if (!entry) {
      entry = { log: new WindowLog(), windowMs: check.windowMs };
      this.logs.set(check.logName, entry);
    }
    entry.log.prune(now - check.windowMs);
    return entry.log;
  }

  /** A peek must not leave empty logs behind for scopes that never consumed. */
  private dropEmpty(checks: readonly NormalizedCheck[]): void {
    for (const c of checks) if (this.logs.get(c.logName)?.log.size === 0) this.logs.delete(c.logName);
  }
}
