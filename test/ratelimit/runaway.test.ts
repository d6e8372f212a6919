import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunawayDetector, type RunawayIncident } from '../../src/ratelimit/runaway.js';

/** Steady traffic: one request every `everyMs` in [from, to). Returns the verdicts. */
function steady(detector: RunawayDetector, id: string, from: number, to: number, everyMs: number) {
  const verdicts = [];
  for (let t = from; t < to; t += everyMs) verdicts.push(detector.observe('key', id, t));
  return verdicts;
}

describe('RunawayDetector', () => {
  test('learns the baseline, alerts once at 10×, throttles to 2×, clears when the rate drops', () => {
    const alerts: RunawayIncident[] = [];
    const clears: number[] = [];
    const detector = new RunawayDetector({ onAlert: (i) => alerts.push(i), onClear: (_i, at) => clears.push(at) });

    // 15 minutes at 60 requests/minute: normal.
    const normal = steady(detector, 'k', 0, 900_000, 1000);
    assert.ok(normal.every((v) => v.allowed && !v.throttled));
    assert.equal(alerts.length, 0);
    assert.equal(detector.baseline('key', 'k', 900_000), 60);

    // 20 s at 50 requests/second (3000/min): a runaway.
    const burst = steady(detector, 'k', 900_000, 920_000, 20);
    assert.equal(alerts.length, 1, 'one alert per incident');
    const incident = alerts[0]!;
    // The burst's first tick completes before the rate crosses 10×, so the baseline has learnt one
    // tick of it (α ≈ 1.65 % per 10 s tick): a little above 60, then frozen.
    assert.ok(incident.baseline >= 60 && incident.baseline < 70, `baseline ${incident.baseline}`);
    assert.equal(incident.throttleLimit, Math.ceil(2 * incident.baseline));
    assert.ok(incident.rate > 600);
    const afterStart = burst.filter((v) => v.throttled);
    assert.ok(afterStart.length > incident.throttleLimit);
    assert.equal(afterStart.filter((v) => v.allowed).length, incident.throttleLimit, 'throttled to 2× baseline per minute');
    for (const v of afterStart.filter((x) => !x.allowed)) {
      assert.ok(v.retryAfterMs > 0 && v.retryAfterMs <= 60_000);
    }
    assert.deepEqual(detector.incident('key', 'k'), incident);

    // Back to normal: the incident clears once the burst has left the rate window.
    const calm = steady(detector, 'k', 920_000, 1_100_000, 1000);
    assert.equal(clears.length, 1);
    assert.ok(clears[0]! >= 960_000 && clears[0]! <= 1_000_000, `cleared at ${clears[0]}`);
    assert.equal(detector.incident('key', 'k'), undefined);
    assert.ok(calm.filter((v) => v.allowed).length > 100);
    assert.ok(calm.slice(-30).every((v) => v.allowed && !v.throttled));
    assert.equal(alerts.length, 1);
    // The baseline was frozen during the incident: the runaway did not become the new normal.
    const after = detector.baseline('key', 'k', 1_100_000)!;
    assert.ok(after > 55 && after < 75, `baseline ${after}`);
  });

  test('a cold start is not an incident (warm-up)', () => {
    const alerts: RunawayIncident[] = [];
    const detector = new RunawayDetector({ onAlert: (i) => alerts.push(i) });
    const verdicts = steady(detector, 'new', 0, 30_000, 10); // 3000 requests in the first 30 s
    assert.equal(alerts.length, 0);
    assert.ok(verdicts.every((v) => v.allowed));
  });

  test('the baseline floor keeps a near-idle key from alerting on a small burst', () => {
    const alerts: RunawayIncident[] = [];
    const detector = new RunawayDetector({ onAlert: (i) => alerts.push(i), minBaseline: 10 });
    steady(detector, 'quiet', 0, 900_000, 60_000); // 1 request per minute
    steady(detector, 'quiet', 900_000, 930_000, 600); // 50 in 30 s: 50× baseline, but under 10 × floor
    assert.equal(alerts.length, 0);
    steady(detector, 'quiet', 930_000, 960_000, 200); // +150: now above 10 × floor
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.throttleLimit, 20);
  });

  test('factor, throttle factor and windows are configurable; scopes are independent', () => {
    const alerts: RunawayIncident[] = [];
    const detector = new RunawayDetector({
      onAlert: (i) => alerts.push(i),
      rateWindowMs: 1000,
      ticks: 10,
      baselineWindowMs: 10_000,
      warmupMs: 5000,
      factor: 3,
      throttleFactor: 1,
      minBaseline: 1,
    });
    steady(detector, 'a', 0, 10_000, 100); // 10/s
    steady(detector, 'b', 0, 10_000, 100);
    const burst = steady(detector, 'a', 10_000, 11_000, 20); // 50/s
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.id, 'a');
    assert.ok(alerts[0]!.throttleLimit >= 10 && alerts[0]!.throttleLimit <= 12, `limit ${alerts[0]!.throttleLimit}`);
    assert.ok(burst.some((v) => !v.allowed));
    assert.ok(detector.observe('key', 'b', 11_000).allowed, 'b is not throttled');
  });

  test('a throwing alert handler does not break the request path', () => {
    const detector = new RunawayDetector({
      onAlert: () => {
        throw new Error('webhook down');
      },
    });
    steady(detector, 'k', 0, 900_000, 1000);
    const burst = steady(detector, 'k', 900_000, 920_000, 20);
    assert.ok(burst.some((v) => v.throttled));
  });

  test('idle scopes are forgotten', () => {
    const detector = new RunawayDetector({ baselineWindowMs: 60_000 });
    for (let i = 0; i < 100; i++) detector.observe('key', `k${i}`, 0);
    assert.equal(detector.size, 100);
    detector.sweep(179_999);
    assert.equal(detector.size, 100);
    detector.sweep(180_000);
    assert.equal(detector.size, 0);
  });

  test('a long silence decays the baseline', () => {
    const detector = new RunawayDetector();
    steady(detector, 'k', 0, 900_000, 1000);
    const decayed = detector.baseline('key', 'k', 900_000 + 3_600_000)!;
    assert.ok(decayed < 1, `baseline after an hour of silence: ${decayed}`);
  });
});
