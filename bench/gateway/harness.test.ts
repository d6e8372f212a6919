// End-to-end check of the benchmark's own pieces: the fake upstream and the bare proxy really
// serve the fixed reply (plain and streamed), the client measures time to first token before the
// end of the stream, and the processes are stopped afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TargetClient } from './client.js';
import { readMemory, stopAll } from './processes.js';
import { directTarget, startBareProxy, startUpstream, UPSTREAM_REPLY_TEXT, type Upstream } from './servers.js';
import type { Target } from './targets.js';

describe('benchmark harness', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'conduit-bench-test-'));
  let upstream: Upstream;
  let proxy: Target;
  const clients: TargetClient[] = [];

  before(async () => {
    upstream = await startUpstream(logDir, 20);
    proxy = (await startBareProxy(upstream, logDir)).target;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await stopAll();
    rmSync(logDir, { recursive: true, force: true });
  });

  for (const which of ['direct', 'bare-proxy'] as const) {
    test(`${which}: plain and streamed replies come from the fake upstream`, async () => {
      const client = new TargetClient(which === 'direct' ? directTarget(upstream) : proxy, 4);
      clients.push(client);
      const plain = await client.chat(performance.now());
      const parsed = JSON.parse(plain.json) as { choices: { message: { content: string } }[] };
      assert.equal(parsed.choices[0]!.message.content, UPSTREAM_REPLY_TEXT);
      assert.equal(plain.overheadMs, undefined);

      const s = await client.stream(performance.now());
      assert.equal(s.text, UPSTREAM_REPLY_TEXT);
      assert.ok(s.sawDone);
      // Three more chunks follow the first at 20 ms intervals: the first token must come well
      // before the end, or the client (or the proxy) is buffering the stream.
      assert.ok(s.totalMs - s.ttftMs >= 40, `ttft ${s.ttftMs} ms, total ${s.totalMs} ms`);
    });
  }

  test('memory of a running server can be read', () => {
    const mem = readMemory(upstream.process.pid);
    assert.ok(mem && mem.rssMiB > 5 && mem.peakRssMiB >= mem.rssMiB);
  });
});
