import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoadTest } from '../../../src/eval/loadtest/run-load-test.js';
import { formatLoadReport } from '../../../src/eval/loadtest/load-report.js';
import { chatCompletionsUrl } from '../../../src/eval/loadtest/load-options.js';
import { estimateCapacity, littlesLawConcurrency, littlesLawRate } from '../../../src/eval/loadtest/little-law.js';
import { isConduitError } from '../../../src/core/errors.js';
import { startCountingServer } from './counting-server.js';

const base = { model: 'm', prompt: 'Say hello', stream: false };

describe('load test against a counting server', () => {
  test('fixed rate: the reported count equals the server count, the rate matches the server-side arrival rate, 429s are broken out', async () => {
    const server = await startCountingServer({ delayMs: 30, rejectEvery: 5 });
    try {
      const report = await runLoadTest({ ...base, url: server.url, mode: { kind: 'rate', requestsPerSecond: 40, durationSeconds: 1.5 } });
      assert.equal(report.sent, 60);
      assert.equal(server.count, report.sent);
      assert.deepEqual(report.errors, { 'HTTP 429': 12 });
      assert.equal(report.ok, 48);
      assert.equal(report.failed, 12);
      // The server's own view: 60 arrivals spread over 59 intervals of 25 ms.
      const arrivals = server.arrivals;
      const serverRate = (arrivals.length - 1) / ((arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000);
      // Loose bound: the server shares this process's event loop, so a busy machine skews arrival times a little.
      assert.ok(Math.abs(serverRate - 40) < 8, `server-side rate ${serverRate.toFixed(2)}`);
      assert.ok(Math.abs(report.sendRate - 40) < 0.01, `reported rate ${report.sendRate}`);
      assert.ok(report.latencyMs.p50 >= 30 && report.latencyMs.p50 < 2000, `p50 ${report.latencyMs.p50}`);
      assert.ok(report.latencyMs.p50 <= report.latencyMs.p95 && report.latencyMs.p95 <= report.latencyMs.max);
      assert.equal(report.latencyMs.count, 48);
      assert.ok(report.outputTokensPerSecond !== undefined && report.outputTokensPerSecond > 0);
      const text = formatLoadReport(report);
      assert.match(text, /requests: 60 sent, 48 ok, 12 failed/);
      assert.match(text, /errors: HTTP 429 × 12/);
      assert.match(text, /Little's Law/);
    } finally {
      await server.close();
    }
  });

  test('open loop: a slow server does not slow the sender; Little\'s Law recovers the concurrency the server held', async () => {
    const server = await startCountingServer({ delayMs: 300 });
    try {
      const report = await runLoadTest({ ...base, url: server.url, mode: { kind: 'rate', requestsPerSecond: 20, durationSeconds: 1 }, targetRate: 100 });
      assert.equal(report.sent, 20);
      assert.equal(server.count, 20);
      // 20 req/s × 0.3 s ≈ 6 in flight: the sender kept its schedule instead of waiting for answers.
      assert.ok(server.maxInFlight >= 5, `server held at most ${server.maxInFlight}`);
      // Latency counts from the scheduled start, so a stalled event loop can only raise L, never hide load.
      assert.ok(report.capacity.inFlight > 3 && report.capacity.inFlight < 12, `L = ${report.capacity.inFlight}`);
      // 100 req/s at ≈0.3 s needs ≈30 slots.
      assert.ok(report.capacity.target !== undefined && Math.abs(report.capacity.target.concurrency - 100 * report.capacity.meanLatencySeconds) < 1, JSON.stringify(report.capacity));
      assert.ok(report.capacity.target.concurrency >= 30, JSON.stringify(report.capacity));
    } finally {
      await server.close();
    }
  });

  test('fixed concurrency: never more than N in flight; the count matches; L ≈ N', async () => {
    const server = await startCountingServer({ delayMs: 50 });
    try {
      const report = await runLoadTest({ ...base, url: `${server.url}/v1`, mode: { kind: 'concurrency', concurrency: 3, durationSeconds: 0.6 } });
      assert.equal(server.count, report.sent);
      assert.equal(server.maxInFlight, 3);
      assert.ok(report.sent >= 9 && report.sent <= 40, `sent ${report.sent}`);
      // A closed loop of 3 can never hold more than 3; the gaps between a worker's requests make it a little less.
      assert.ok(report.capacity.inFlight > 2 && report.capacity.inFlight <= 3.05, `L = ${report.capacity.inFlight}`);
      const capped = await runLoadTest({ ...base, url: server.url, mode: { kind: 'concurrency', concurrency: 4, durationSeconds: 30, maxRequests: 10 } });
      assert.equal(capped.sent, 10);
    } finally {
      await server.close();
    }
  });

  test('streaming: time to first token is measured separately from the full latency', async () => {
    const server = await startCountingServer({ delayMs: 80 });
    try {
      const report = await runLoadTest({ ...base, stream: true, url: server.url, mode: { kind: 'concurrency', concurrency: 2, durationSeconds: 10, maxRequests: 4 } });
      assert.equal(report.ok, 4);
      assert.ok(report.ttftMs !== undefined && report.ttftMs.count === 4);
      assert.ok(report.ttftMs.p50 >= 80 && report.ttftMs.p50 < report.latencyMs.p50, `ttft ${report.ttftMs.p50} vs latency ${report.latencyMs.p50}`);
      assert.ok(report.latencyMs.p50 >= 160, `latency ${report.latencyMs.p50}`);
      assert.ok(report.outputTokensPerSecond !== undefined);
      assert.match(formatLoadReport(report), /ttft ms \(ok\): +mean/);
    } finally {
      await server.close();
    }
  });

  test('an unreachable server: every request is an error, by its code', async () => {
    const server = await startCountingServer({ delayMs: 0 });
    const url = server.url;
    await server.close();
    const report = await runLoadTest({ ...base, url, mode: { kind: 'rate', requestsPerSecond: 20, durationSeconds: 0.25 } });
    assert.equal(report.sent, 5);
    assert.deepEqual(report.errors, { ECONNREFUSED: 5 });
    assert.equal(report.latencyMs.count, 0);
    assert.match(formatLoadReport(report), /no successful requests/);
  });
});

describe('load test pieces', () => {
  test("Little's Law: the guide's worked examples", () => {
    assert.equal(littlesLawConcurrency(1000, 0.2), 200);
    assert.equal(littlesLawConcurrency(200, 3), 600);
    assert.equal(littlesLawConcurrency(100, 0.5), 50);
    assert.ok(Math.abs(littlesLawConcurrency(50, 0.2) - 10) < 1e-12);
    assert.ok(Math.abs(littlesLawRate(1, 3) - 1 / 3) < 1e-12);
    assert.deepEqual(estimateCapacity(10, 0.5, { rate: 1000, latencySeconds: 0.2 }).target, { rate: 1000, latencySeconds: 0.2, concurrency: 200 });
    assert.equal(estimateCapacity(10, 0.5).inFlight, 5);
  });

  test('URLs: a base URL gets /v1/chat/completions; a full one is kept; others are refused', () => {
    assert.equal(chatCompletionsUrl('http://h:8000').toString(), 'http://h:8000/v1/chat/completions');
    assert.equal(chatCompletionsUrl('http://h:8000/v1/').toString(), 'http://h:8000/v1/chat/completions');
    assert.equal(chatCompletionsUrl('https://h/openai/v1/chat/completions').toString(), 'https://h/openai/v1/chat/completions');
    assert.throws(() => chatCompletionsUrl('ftp://h'), (e) => isConduitError(e) && e.code === 'invalid_url');
    assert.throws(() => chatCompletionsUrl('not a url'), (e) => isConduitError(e) && e.code === 'invalid_url');
  });

  test('bad load shapes are refused before anything is sent', async () => {
    await assert.rejects(runLoadTest({ ...base, url: 'http://127.0.0.1:1', mode: { kind: 'rate', requestsPerSecond: 0, durationSeconds: 1 } }), (e) => isConduitError(e) && e.code === 'invalid_load_options');
    await assert.rejects(runLoadTest({ ...base, url: 'http://127.0.0.1:1', mode: { kind: 'concurrency', concurrency: 1.5, durationSeconds: 1 } }), (e) => isConduitError(e) && e.code === 'invalid_load_options');
  });
});
