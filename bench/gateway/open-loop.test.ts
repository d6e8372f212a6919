import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runOpenLoop } from './open-loop.js';

describe('open-loop load', () => {
  test('sends on schedule even when no response ever comes, then aborts at the deadline', async () => {
    let fired = 0;
    let deadlineCalls = 0;
    const started = performance.now();
    const r = await runOpenLoop({
      rate: 200,
      count: 20,
      graceMs: 100,
      onDeadline: async () => { deadlineCalls++; },
      fire: (_dueAt, signal) => {
        fired++;
        return new Promise<number>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        });
      },
    });
    assert.equal(fired, 20, 'every request is sent although none was answered');
    assert.equal(r.samples.length, 0);
    assert.equal(r.errors, 20);
    assert.equal(deadlineCalls, 1);
    assert.ok(performance.now() - started < 5000, 'bounded by the deadline');
  });

  test('due times are spaced by 1/rate and latency counts from the due time', async () => {
    const r = await runOpenLoop({
      rate: 100,
      count: 10,
      graceMs: 2000,
      fire: async (dueAt) => {
        const sentAt = performance.now();
        assert.ok(sentAt >= dueAt, 'never sent before it is due');
        return dueAt;
      },
    });
    assert.equal(r.samples.length, 10);
    const dues = [...r.samples].sort((a, b) => a - b);
    for (let i = 1; i < dues.length; i++) assert.ok(Math.abs(dues[i]! - dues[i - 1]! - 10) < 1e-6);
    assert.equal(r.errors, 0);
  });
});
