/**
 * One sliding-window log held in process: the events (time, cost, id) still inside the window, oldest
 * first, with a running sum. Exact, like the Redis sorted set it mirrors. Events are appended at the
 * tail (time only moves forward in practice; an out-of-order time is inserted in place) and expire
 * from the head, so pruning is amortised O(1) per event: a head index instead of `shift()`, with the
 * arrays compacted once the dead prefix outgrows the live part.
 * An event at time t counts while t > now − window, i.e. it frees its units at exactly t + window.
 */
export class WindowLog {
  private times: number[] = [];
  private costs: number[] = [];
  private ids: string[] = [];
  private head = 0;
  private total = 0;

  get used(): number {
    return this.total;
  }

  get size(): number {
    return this.times.length - this.head;
  }

  /** Drops events at or before `windowStart` (= now − window). */
  prune(windowStart: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= windowStart) {
      this.total -= this.costs[this.head] as number;
      this.head++;
    }
    if (this.head === this.times.length) {
      this.times = [];
      this.costs = [];
      this.ids = [];
      this.head = 0;
      this.total = 0; // also clears any float residue
    } else if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
  }

  add(at: number, cost: number, id: string): void {
    if (cost <= 0) return;
    this.total += cost;
    const end = this.times.length;
    if (end === this.head || (this.times[end - 1] as number) <= at) {
      // The usual case (time moves forward): append without splice's result array.
      this.times.push(at);
      this.costs.push(cost);
      this.ids.push(id);
      return;
    }
    const i = this.insertionIndex(at);
    this.times.splice(i, 0, at);
    this.costs.splice(i, 0, cost);
    this.ids.splice(i, 0, id);
  }

  /** Changes the cost of event `id` by `delta` (floored at 0); false when no such event is left. */
  adjust(id: string, delta: number): boolean {
    // Adjustments follow their consume closely, so the event is near the tail.
    for (let i = this.times.length - 1; i >= this.head; i--) {
      if (this.ids[i] !== id) continue;
      const before = this.costs[i] as number;
      const after = Math.max(0, before + delta);
      this.costs[i] = after;
      this.total += after - before;
      return true;
    }
    return false;
  }

  /** Time of the newest event, or undefined when empty. */
  newest(): number | undefined {
    return this.size === 0 ? undefined : this.times[this.times.length - 1];
  }

  /**
   * The earliest time at which `used − freed + cost ≤ limit`, walking events from the oldest; that
   * event's time + window. Assumes `cost ≤ limit` and that the window is currently too full.
   */
  timeWhenFits(cost: number, limit: number, windowMs: number): number {
    const mustFree = this.total + cost - limit;
    let freed = 0;
    for (let i = this.head; i < this.times.length; i++) {
      freed += this.costs[i] as number;
      if (freed >= mustFree) return (this.times[i] as number) + windowMs;
    }
    return (this.newest() ?? 0) + windowMs;
  }

  private insertionIndex(at: number): number {
    let lo = this.head;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
