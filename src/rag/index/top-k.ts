/**
 * Keeps the k best (highest-score) items seen so far in a binary min-heap: O(n log k) over a scan
 * instead of sorting every candidate. Ties keep the earlier item (stable for equal scores).
 */
export class TopK {
  private readonly scores: number[] = [];
  private readonly items: number[] = [];

  constructor(readonly k: number) {}

  get size(): number {
    return this.items.length;
  }

  /** The score an item must beat to enter (−∞ until the heap is full). */
  get floor(): number {
    return this.items.length < this.k ? -Infinity : (this.scores[0] ?? -Infinity);
  }

  push(item: number, score: number): void {
    if (this.k <= 0) return;
    if (this.items.length < this.k) {
      this.items.push(item);
      this.scores.push(score);
      this.siftUp(this.items.length - 1);
    } else if (score > (this.scores[0] ?? -Infinity)) {
      this.items[0] = item;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Items best first. */
  sorted(): { item: number; score: number }[] {
    return this.items.map((item, i) => ({ item, score: this.scores[i] ?? 0 })).sort((a, b) => b.score - a.score || a.item - b.item);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.scores[parent] ?? 0) <= (this.scores[i] ?? 0)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && (this.scores[l] ?? 0) < (this.scores[smallest] ?? 0)) smallest = l;
      if (r < n && (this.scores[r] ?? 0) < (this.scores[smallest] ?? 0)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const s = this.scores[a] ?? 0;
    this.scores[a] = this.scores[b] ?? 0;
    this.scores[b] = s;
    const it = this.items[a] ?? 0;
    this.items[a] = this.items[b] ?? 0;
    this.items[b] = it;
  }
}
