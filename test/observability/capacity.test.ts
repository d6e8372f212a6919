import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { maxThroughput, parseMetricTotals, planCapacity } from '../../src/observability/capacity/index.js';
import { startGateway } from '../gateway/harness.js';
import { ScriptedModel, delayed, reply } from '../support/scripted-model.js';

const cli = (argv: string[]) => runCli(argv, { cwd: process.cwd() });

describe("Little's Law planning", () => {
  test("reproduces the guides' examples", () => {
    assert.equal(planCapacity({ arrivalRatePerSecond: 1000, timeInSystemSeconds: 0.2 }).concurrentRequests, 200);
    assert.equal(planCapacity({ arrivalRatePerSecond: 200, timeInSystemSeconds: 3 }).concurrentRequests, 600);
    assert.equal(planCapacity({ arrivalRatePerSecond: 100, timeInSystemSeconds: 0.5 }).concurrentRequests, 50);
    assert.equal(planCapacity({ arrivalRatePerSecond: 200, timeInSystemSeconds: 0.1 }).concurrentRequests, 20);
    assert.ok(Math.abs(maxThroughput(1, 3) - 0.333) < 0.001, 'sequential 3 s requests: ≈0.333 per second');
  });

  test('headroom, upstream connections and replicas follow from L and the per-replica assumption', () => {
    const plan = planCapacity({ arrivalRatePerSecond: 1000, timeInSystemSeconds: 0.2 }, { perReplicaConcurrency: 256, headroom: 0.3 });
    assert.equal(plan.plannedConcurrency, 260);
    assert.equal(plan.upstreamConnections, 260);
    assert.equal(plan.replicas, 2);
    assert.equal(planCapacity({ arrivalRatePerSecond: 0, timeInSystemSeconds: 1 }).replicas, 1, 'never fewer than one replica');
    assert.equal(planCapacity({ arrivalRatePerSecond: 200, timeInSystemSeconds: 3 }, { perReplicaConcurrency: 100, headroom: 0 }).replicas, 6);
    assert.throws(() => planCapacity({ arrivalRatePerSecond: -1, timeInSystemSeconds: 1 }), { kind: 'invalid_request' });
  });

  test('parses the totals it needs from Prometheus text', () => {
    const totals = parseMetricTotals(
      [
        '# TYPE llm_requests_total counter',
        'llm_requests_total{model="a",provider="p",status="200"} 10',
        'llm_requests_total{model="b",provider="p",status="502"} 5',
        'llm_request_duration_seconds_sum 7.5',
        'llm_request_duration_seconds_count 15',
        'llm_active_requests 3',
        'process_start_time_seconds 1700000000',
      ].join('\n'),
    );
    assert.deepEqual(totals, { requests: 15, durationSum: 7.5, durationCount: 15, active: 3, processStartSeconds: 1700000000 });
    assert.throws(() => parseMetricTotals('up 1\n'), { code: 'not_conduit_metrics' });
  });
});

describe('conduit capacity', () => {
  test('a what-if prints L, the planned concurrency, connections and replicas', async () => {
    const r = await cli(['capacity', '--target-rate', '1000', '--target-latency-ms', '200']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /What-if:/);
    assert.match(r.stdout, /concurrent requests L\s+200\b/);
    assert.match(r.stdout, /plan with 30% headroom\s+260 concurrent requests/);
    assert.match(r.stdout, /upstream connections\s+260/);
    assert.match(r.stdout, /replicas\s+2\s+\(at 256 concurrent requests per replica\)/);
    const json = JSON.parse((await cli(['capacity', '--rate', '50', '--latency-ms', '200', '--per-replica', '4', '--headroom', '0', '--json'])).stdout) as { scenarios: { plan: { concurrentRequests: number; replicas: number } }[] };
    assert.equal(json.scenarios[0]!.plan.concurrentRequests, 10);
    assert.equal(json.scenarios[0]!.plan.replicas, 3);
  });

  test('bad or missing numbers are usage errors (exit 2)', async () => {
    assert.equal((await cli(['capacity'])).code, 2);
    assert.equal((await cli(['capacity', '--target-rate', '10'])).code, 2);
    assert.equal((await cli(['capacity', '--rate', 'x', '--latency-ms', '5'])).code, 2);
    assert.equal((await cli(['capacity', '--url', 'http://x', '--rate', '1', '--latency-ms', '5'])).code, 2);
  });

  test("measures a running gateway under load: λ × W matches the observed concurrency", async () => {
    const model = new ScriptedModel({ whenEmpty: delayed(100, reply('ok')) });
    const gw = await startGateway({ m: model });
    let stop = false;
    // Closed loop, 4 clients: L ≤ 4, W ≈ 0.1 s, so λ ≤ 40 req/s.
    const client = async () => {
      while (!stop) {
        const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
        await res.text();
      }
    };
    const clients = [client(), client(), client(), client()];
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = await cli(['capacity', '--url', gw.url, '--window', '2', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { scenarios: { measured: { source: string; observedConcurrency: number }; plan: { arrivalRatePerSecond: number; timeInSystemSeconds: number; concurrentRequests: number } }[] };
      const s = out.scenarios[0]!;
      assert.equal(s.measured.source, 'window');
      assert.ok(s.plan.timeInSystemSeconds >= 0.1 && s.plan.timeInSystemSeconds < 0.2, `W = ${s.plan.timeInSystemSeconds}`);
      assert.ok(s.plan.arrivalRatePerSecond > 20 && s.plan.arrivalRatePerSecond < 45, `λ = ${s.plan.arrivalRatePerSecond}`);
      // At most the 4 clients in flight; less by the clients' own gaps between requests (same event loop).
      assert.ok(s.plan.concurrentRequests > 2 && s.plan.concurrentRequests <= 4.2, `L = λW = ${s.plan.concurrentRequests}`);
      assert.ok(s.measured.observedConcurrency >= 2 && s.measured.observedConcurrency <= 4, `observed ${s.measured.observedConcurrency}`);
    } finally {
      stop = true;
      await Promise.all(clients);
      await gw.close();
    }
  });
});
