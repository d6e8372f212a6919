/** `conduit loadtest` through main(argv, io), against a server that counts what it gets. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../support/cli.js';
import { startCountingServer } from './counting-server.js';

const run = (argv: string[]) => runCli(argv, { cwd: process.cwd() });

describe('conduit loadtest', () => {
  test('fixed rate: the printed count and rate match what the server received', async () => {
    const server = await startCountingServer({ delayMs: 10 });
    try {
      const r = await run(['loadtest', server.url, '--model', 'm', '--rate', '20', '--duration', '1', '--target-rate', '50', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { sent: number; ok: number; sendRate: number; capacity: { target: { concurrency: number } } };
      assert.equal(report.sent, 20);
      assert.equal(server.count, 20);
      assert.equal(report.ok, 20);
      assert.equal(report.sendRate, 20);
      assert.ok(report.capacity.target.concurrency >= 1);
    } finally {
      await server.close();
    }
  });

  test('fixed concurrency with streaming prints TTFT and the capacity line', async () => {
    const server = await startCountingServer({ delayMs: 20 });
    try {
      const r = await run(['loadtest', server.url, '--model', 'm', '--concurrency', '2', '--requests', '6', '--stream']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /requests: 6 sent, 6 ok, 0 failed/);
      assert.match(r.stdout, /ttft ms \(ok\):/);
      assert.match(r.stdout, /capacity \(Little's Law L = λ·W\)/);
      assert.equal(server.count, 6);
    } finally {
      await server.close();
    }
  });

  test('usage mistakes exit 2 and send nothing', async () => {
    assert.equal((await run(['loadtest', 'http://127.0.0.1:9', '--rate', '1'])).code, 2, 'no --model');
    assert.equal((await run(['loadtest', 'http://127.0.0.1:9', '--model', 'm', '--rate', '1', '--concurrency', '2'])).code, 2);
    assert.equal((await run(['loadtest', '--model', 'm'])).code, 2);
    assert.equal((await run(['loadtest', 'http://127.0.0.1:9', '--model', 'm', '--rate', 'fast'])).code, 2);
  });
});
