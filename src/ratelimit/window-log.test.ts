import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../eval/dataset/seeded-random.js';
import { WindowLog } from './window-log.js';

/** The obvious model: a sorted array of events, pruned by filtering. */
class NaiveLog {
  events: { at: number; cost: number; ticket: number }[] = [];
  get used(): number {
    return this.events.reduce((s, e) => s + e.cost, 0);
  }
  prune(windowStart: number): void {
    this.events = this.events.filter((e) => e.at > windowStart);
  }
  add(at: number, cost: number, ticket: number): void {
    if (cost <= 0) return;
    let i = this.events.length;
    while (i > 0 && this.events[i - 1]!.at > at) i--;
    this.events.splice(i, 0, { at, cost, ticket });
  }
  adjust(ticket: number, delta: number): boolean {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (ticket > 0 && e.ticket === ticket) {
        e.cost = Math.max(0, e.cost + delta);
        return true;
      }
    }
    return false;
  }
}

test('WindowLog matches a naive sorted log through growth, slides, out-of-order inserts and adjustments', () => {
  const random = seededRandom(42);
  const log = new WindowLog();
  const model = new NaiveLog();
  const windowMs = 1_000;
  let now = 1_700_000_000_000;
  let ticket = 0;
  for (let step = 0; step < 20_000; step++) {
    // Bursts (many events per ms) and quiet spells (the whole window slides out).
    now += random() < 0.01 ? 2_000 : Math.floor(random() * 3);
    log.prune(now - windowMs);
    model.prune(now - windowMs);
    const r = random();
    if (r < 0.7) {
      const at = random() < 0.05 ? now - Math.floor(random() * 500) : now; // some out of order
      const cost = 1 + Math.floor(random() * 5);
      ticket++;
      log.add(at, cost, ticket);
      model.add(at, cost, ticket);
    } else {
      const target = ticket - Math.floor(random() * 50);
      const delta = Math.floor(random() * 20) - 10;
      assert.equal(log.adjust(target, delta), model.adjust(target, delta), `adjust(${target}) at step ${step}`);
    }
    assert.equal(log.size, model.events.length, `size at step ${step}`);
    assert.equal(log.used, model.used, `used at step ${step}`);
    assert.equal(log.newest(), model.events.at(-1)?.at, `newest at step ${step}`);
  }
});

test('WindowLog.timeWhenFits is the time the oldest events free enough units', () => {
  const log = new WindowLog();
  log.add(100, 3, 1);
  log.add(200, 4, 2);
  log.add(300, 5, 3);
  // used 12, limit 10: a cost of 2 needs 4 units freed → the first two events (3 + 4) → 200 + window.
  assert.equal(log.timeWhenFits(2, 10, 1_000), 1_200);
  // A cost of 1 needs 3 freed → the first event alone.
  assert.equal(log.timeWhenFits(1, 10, 1_000), 1_100);
});

test('WindowLog frees an event exactly at t + window and forgets tickets that slid out', () => {
  const log = new WindowLog();
  log.add(1_000, 2, 7);
  log.prune(1_000 - 60_000 + 59_999); // window start just before the event: still counted
  assert.equal(log.used, 2);
  log.prune(1_000); // window start at the event's time: gone
  assert.equal(log.used, 0);
  assert.equal(log.size, 0);
  assert.equal(log.adjust(7, 5), false);
  assert.equal(log.newest(), undefined);
});

test('WindowLog ignores non-positive costs and never matches ticket 0', () => {
  const log = new WindowLog();
  log.add(10, 0, 1);
  log.add(10, -3, 2);
  assert.equal(log.size, 0);
  log.add(10, 5);
  assert.equal(log.adjust(0, 3), false);
  assert.equal(log.used, 5);
});
