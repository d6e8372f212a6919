/**
 * One sliding-window log held in process: the events (time, cost, ticket) still inside the window,
 * oldest first, with a running sum. Exact, like the Redis sorted set it mirrors. Events are appended
 * at the tail (time only moves forward in practice; an out-of-order time is inserted in place) and
 * expire from the head, so pruning is amortised O(1) per event.
 * An event at time t counts while t > now − window, i.e. it frees its units at exactly t + window.
 *
 * Why typed arrays and numeric tickets: a busy limit holds every event of its window (at 4,000
 * requests/s and a one-minute window, 240,000 per log). Held as JS arrays with a string id per
 * event, each request left a promoted string and an old-to-new pointer behind, which made every
 * young-generation GC scan the logs (scavenges went from ~1.5 ms to ~7 ms under load) and filled
 * the old generation with garbage for the next full GC. Float64Arrays hold no pointers at all: the
 * GC never looks inside them.
 */
const INITIAL_CAPACITY = 16;

export class WindowLog {
  private times = new Float64Array(INITIAL_CAPACITY);
  private costs = new Float64Array(INITIAL_CAPACITY);
  /** The consume ticket that recorded each event, 0 for none (see EmbeddedRateLimiter). */
  private tickets = new Float64Array(INITIAL_CAPACITY);
  private head = 0;
  private end = 0;
  private total = 0;

  get used(): number {
    return this.total;
  }

  get size(): number {
    return this.end - this.head;
  }

  /** Drops events at or before `windowStart` (= now − window). */
  prune(windowStart: number): void {
    const times = this.times;
    let head = this.head;
    while (head < this.end && times[head]! <= windowStart) {
      this.total -= this.costs[head]!;
      head++;
    }
    this.head = head;
    if (head === this.end) {
      this.head = 0;
      this.end = 0;
      this.total = 0; // also clears any float residue
      // A log that grew for a burst gives its memory back once the burst has slid out.
      if (this.times.length > 4 * INITIAL_CAPACITY) this.allocate(INITIAL_CAPACITY);
    }
  }

  /** Records `cost` units at time `at`; `ticket` (> 0) lets `adjust` find the event later. */
  add(at: number, cost: number, ticket = 0): void {
    if (cost <= 0) return;
    this.total += cost;
    this.reserveOne();
    const end = this.end;
    if (end === this.head || this.times[end - 1]! <= at) {
      this.times[end] = at;
      this.costs[end] = cost;
      this.tickets[end] = ticket;
      this.end = end + 1;
      return;
    }
    // Out of order (a clock step backwards): shift the younger events up by one.
    const i = this.insertionIndex(at);
    this.times.copyWithin(i + 1, i, end);
    this.costs.copyWithin(i + 1, i, end);
    this.tickets.copyWithin(i + 1, i, end);
    this.times[i] = at;
    this.costs[i] = cost;
    this.tickets[i] = ticket;
    this.end = end + 1;
  }

  /** Changes the cost of the event recorded with `ticket` by `delta` (floored at 0); false when no such event is left. */
  adjust(ticket: number, delta: number): boolean {
    if (!(ticket > 0)) return false;
    // Adjustments follow their consume closely, so the event is near the tail.
    for (let i = this.end - 1; i >= this.head; i--) {
      if (this.tickets[i] !== ticket) continue;
      const before = this.costs[i]!;
      const after = Math.max(0, before + delta);
      this.costs[i] = after;
      this.total += after - before;
      return true;
    }
    return false;
  }

  /** Time of the newest event, or undefined when empty. */
  newest(): number | undefined {
    return this.end === this.head ? undefined : this.times[this.end - 1];
  }

  /**
   * The earliest time at which `used − freed + cost ≤ limit`, walking events from the oldest; that
   * event's time + window. Assumes `cost ≤ limit` and that the window is currently too full.
   */
  timeWhenFits(cost: number, limit: number, windowMs: number): number {
    const mustFree = this.total + cost - limit;
    let freed = 0;
    for (let i = this.head; i < this.end; i++) {
      freed += this.costs[i]!;
      if (freed >= mustFree) return this.times[i]! + windowMs;
    }
    return (this.newest() ?? 0) + windowMs;
  }

  /** Room for one more event at the tail: slide the live events down, or grow. */
  private reserveOne(): void {
    if (this.end < this.times.length) return;
    const live = this.end - this.head;
    // Sliding costs a copy of the live part; only worth it when it frees at least half the buffer.
    if (this.head >= live) {
      this.times.copyWithin(0, this.head, this.end);
      this.costs.copyWithin(0, this.head, this.end);
      this.tickets.copyWithin(0, this.head, this.end);
    } else {
      this.allocate(this.times.length * 2);
    }
    this.head = 0;
    this.end = live;
  }

  /** New buffers of `capacity` holding the live events from index 0. */
  private allocate(capacity: number): void {
    const from = this.head;
    const to = this.end;
    const times = new Float64Array(capacity);
    const costs = new Float64Array(capacity);
    const tickets = new Float64Array(capacity);
    times.set(this.times.subarray(from, to));
    costs.set(this.costs.subarray(from, to));
    tickets.set(this.tickets.subarray(from, to));
    this.times = times;
    this.costs = costs;
    this.tickets = tickets;
    this.head = 0;
    this.end = to - from;
  }

  private insertionIndex(at: number): number {
    let lo = this.head;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
