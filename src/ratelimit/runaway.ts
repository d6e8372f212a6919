/**
 * Runaway protection: notices when a scope's request rate jumps far above its own normal (a retry
 * loop, a leaked key, an agent stuck in a cycle), throttles it to a sane multiple of normal, and
 * alerts once per incident.
 *
 * Measurement, per scope (`key:<id>`, `global:*`…), all in process with an injectable clock:
 * - current rate: requests seen in the last `rateWindowMs` (default 1 min), counted in `ticks`
 *   sub-buckets (default 6 × 10 s), so it slides in steps of one tick;
 * - baseline: an exponentially weighted moving average of that rate, sampled at every tick with
 *   time constant `baselineWindowMs` (default 10 min). It starts from the first full rate window and
 *   is frozen during an incident, so a runaway cannot teach the detector that it is normal.
 * - warm-up: nothing triggers until the scope has been observed for `warmupMs` (default = the
 *   baseline window), so a cold start or a new key is not an incident. `minBaseline` (requests per
 *   rate window) floors the baseline, so a near-idle key going from 0.1 to 5 req/min is not one either.
 *
 * Incident: rate > `factor` × baseline (default 10×). While it lasts, admissions are limited to
 * `throttleFactor` × baseline per rate window (default 2×, counted from the incident's start) and
 * refusals carry a precise retry time. It ends when the attempted rate (refused attempts included)
 * falls to `clearFactor` × baseline (default factor / 2); `onAlert` fires at the start and `onClear`
 * at the end, each once per incident.
 *
 * Each replica measures its own traffic; behind an even load balancer the ratios are the same on
 * every replica, which is what the detector compares.
 */

export interface RunawayIncident {
  scope: string;
  id: string;
  startedAt: number;
  /** Requests per rate window when the incident began. */
  rate: number;
  /** Frozen baseline (after the `minBaseline` floor), requests per rate window. */
  baseline: number;
  /** Admissions allowed per rate window while the incident lasts. */
  throttleLimit: number;
}

export interface RunawayVerdict {
  allowed: boolean;
  /** An incident is active for this scope. */
  throttled: boolean;
  /** Requests in the current rate window, this one included. */
  rate: number;
  /** The moving baseline (0 until the first full rate window). */
  baseline: number;
  /** When refused: ms until the throttle admits again. */
  retryAfterMs: number;
  incident?: RunawayIncident;
}

export interface RunawayOptions {
  clock?: () => number;
  /** The rate unit: requests per this window (default 60 000 ms). */
  rateWindowMs?: number;
  /** Sub-buckets per rate window (default 6). */
  ticks?: number;
  /** EWMA time constant of the baseline (default 600 000 ms). */
  baselineWindowMs?: number;
  /** Observation time before any incident can start (default `baselineWindowMs`, at least one rate window). */
  warmupMs?: number;
  /** Trigger at this multiple of the baseline (default 10). */
  factor?: number;
  /** Throttle to this multiple of the baseline (default 2). */
  throttleFactor?: number;
  /** Clear at or below this multiple of the baseline (default factor / 2). */
  clearFactor?: number;
  /** Baseline floor, requests per rate window (default 10). */
  minBaseline?: number;
  /** Forget a scope not seen for this long (default 3 × baselineWindowMs). */
  idleEvictMs?: number;
  onAlert?: (incident: RunawayIncident) => void;
  onClear?: (incident: RunawayIncident, endedAt: number) => void;
}

interface ActiveIncident extends RunawayIncident {
  /** Admission times inside the current rate window, oldest first. */
  admitted: number[];
}

interface ScopeState {
  ring: number[];
  /** Absolute index (time / tickMs) of the tick the ring's current slot belongs to. */
  tick: number;
  ticksCompleted: number;
  baseline: number | undefined;
  firstSeen: number;
  lastSeen: number;
  incident: ActiveIncident | undefined;
}

export class RunawayDetector {
  private readonly scopes = new Map<string, ScopeState>();
  private readonly clock: () => number;
  private readonly rateWindowMs: number;
  private readonly ticks: number;
  private readonly tickMs: number;
  private readonly alpha: number;
  private readonly warmupMs: number;
  private readonly factor: number;
  private readonly throttleFactor: number;
  private readonly clearFactor: number;
  private readonly minBaseline: number;
  private readonly idleEvictMs: number;
  private observations = 0;

  constructor(private readonly options: RunawayOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.rateWindowMs = options.rateWindowMs ?? 60_000;
    this.ticks = Math.max(1, Math.floor(options.ticks ?? 6));
    this.tickMs = this.rateWindowMs / this.ticks;
    const baselineWindowMs = options.baselineWindowMs ?? 600_000;
    this.alpha = 1 - Math.exp(-this.tickMs / baselineWindowMs);
    this.warmupMs = Math.max(this.rateWindowMs, options.warmupMs ?? baselineWindowMs);
    this.factor = options.factor ?? 10;
    this.throttleFactor = options.throttleFactor ?? 2;
    this.clearFactor = options.clearFactor ?? this.factor / 2;
    this.minBaseline = options.minBaseline ?? 10;
    this.idleEvictMs = options.idleEvictMs ?? 3 * baselineWindowMs;
  }

  /** Records one request for the scope and says whether it may proceed. */
  observe(scope: string, id: string, now: number = this.clock()): RunawayVerdict {
    if (++this.observations % 1024 === 0) this.sweep(now);
    const name = `${scope}:${id}`;
    let state = this.scopes.get(name);
    if (!state) {
      state = {
        ring: new Array<number>(this.ticks).fill(0),
        tick: Math.floor(now / this.tickMs),
        ticksCompleted: 0,
        baseline: undefined,
        firstSeen: now,
        lastSeen: now,
        incident: undefined,
      };
      this.scopes.set(name, state);
    }
    this.advance(state, now);
    state.lastSeen = now;
    const slot = state.tick % this.ticks;
    state.ring[slot] = (state.ring[slot] as number) + 1;
    const rate = this.sum(state);
    const floor = Math.max(state.baseline ?? 0, this.minBaseline);

    if (state.incident && rate <= this.clearFactor * floor) {
      const ended = state.incident;
      state.incident = undefined;
      this.notify(() => this.options.onClear?.(publicIncident(ended), now));
    } else if (
      !state.incident &&
      state.baseline !== undefined &&
      now - state.firstSeen >= this.warmupMs &&
      rate > this.factor * floor
    ) {
      state.incident = {
        scope,
        id,
        startedAt: now,
        rate,
        baseline: floor,
        throttleLimit: Math.max(1, Math.ceil(this.throttleFactor * floor)),
        admitted: [],
      };
      const started = publicIncident(state.incident);
      this.notify(() => this.options.onAlert?.(started));
    }

    const verdict: RunawayVerdict = { allowed: true, throttled: false, rate, baseline: state.baseline ?? 0, retryAfterMs: 0 };
    const incident = state.incident;
    if (!incident) return verdict;
    verdict.throttled = true;
    verdict.incident = publicIncident(incident);
    while (incident.admitted.length > 0 && (incident.admitted[0] as number) <= now - this.rateWindowMs) incident.admitted.shift();
    if (incident.admitted.length >= incident.throttleLimit) {
      verdict.allowed = false;
      verdict.retryAfterMs = (incident.admitted[0] as number) + this.rateWindowMs - now;
    } else {
      incident.admitted.push(now);
    }
    return verdict;
  }

  /** The active incident for a scope, if any. */
  incident(scope: string, id: string): RunawayIncident | undefined {
    const incident = this.scopes.get(`${scope}:${id}`)?.incident;
    return incident ? publicIncident(incident) : undefined;
  }

  /** Current baseline of a scope (after advancing to `now`), or undefined while unknown. */
  baseline(scope: string, id: string, now: number = this.clock()): number | undefined {
    const state = this.scopes.get(`${scope}:${id}`);
    if (!state) return undefined;
    this.advance(state, now);
    return state.baseline;
  }

  /** Number of scopes tracked. */
  get size(): number {
    return this.scopes.size;
  }

  /** Forgets scopes idle for `idleEvictMs`; runs by itself every 1024 observations. */
  sweep(now: number = this.clock()): void {
    for (const [name, state] of this.scopes) if (now - state.lastSeen >= this.idleEvictMs) this.scopes.delete(name);
  }

  /** Rolls the tick ring forward to `now`, feeding each completed tick's window rate to the baseline. */
  private advance(state: ScopeState, now: number): void {
    const target = Math.floor(now / this.tickMs);
    const steps = target - state.tick;
    if (steps <= 0) return;
    const replayed = Math.min(steps, this.ticks);
    for (let i = 0; i < replayed; i++) {
      this.completeTick(state, this.sum(state));
      state.tick++;
      state.ring[state.tick % this.ticks] = 0;
    }
    // Beyond a full window of silence every further sample is 0: decay in one step.
    const silent = steps - replayed;
    if (silent > 0) {
      if (state.baseline !== undefined && !state.incident) state.baseline *= (1 - this.alpha) ** silent;
      state.ticksCompleted += silent;
      state.tick = target;
    }
  }

  private completeTick(state: ScopeState, sample: number): void {
    state.ticksCompleted++;
    if (state.incident) return;
    if (state.baseline === undefined) {
      // Only a full window is a fair first sample; earlier ones undercount.
      if (state.ticksCompleted >= this.ticks) state.baseline = sample;
      return;
    }
    state.baseline += this.alpha * (sample - state.baseline);
  }

  private sum(state: ScopeState): number {
    let total = 0;
    for (const n of state.ring) total += n;
    return total;
  }

  /** A throwing alert handler must not break the request path. */
  private notify(fn: () => void): void {
    try {
      fn();
    } catch {
      // deliberately ignored
    }
  }
}

function publicIncident(incident: ActiveIncident): RunawayIncident {
  const { scope, id, startedAt, rate, baseline, throttleLimit } = incident;
  return { scope, id, startedAt, rate, baseline, throttleLimit };
}
