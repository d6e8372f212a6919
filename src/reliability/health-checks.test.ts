import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { ModelRequest } from '../models/language-model.js';
import { defaultHealthProbe, startHealthChecks, startRouterHealthChecks, type HealthCheckResult } from './health-checks.js';
import { createRouter } from './router.js';
import { fail, hang, reply, ScriptedModel } from '../../test/support/scripted-model.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('health checks', () => {
  test('a failing probe marks the deployment unhealthy; the router skips it; recovery marks it healthy', async () => {
    const a = new ScriptedModel({ modelId: 'a' });
    const b = new ScriptedModel({ modelId: 'b', whenEmpty: reply('b') });
    const router = createRouter({ name: 'pool', strategy: 'ordered', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    let aDown = true;
    const checker = startRouterHealthChecks(router, {
      runImmediately: false,
      intervalMs: 60_000,
      probe: async (model) => {
        if (model === a && aDown) throw new ConduitError('provider_unavailable', 'down');
      },
    });
    try {
      const results = await checker.checkNow();
      assert.deepEqual(
        results.map((r) => [r.id, r.healthy]),
        [
          ['a', false],
          ['b', true],
        ],
      );
      assert.equal(router.status()[0]!.healthy, false);
      assert.equal((await router.generate(request)).text, 'b');
      assert.equal(a.callCount, 0, 'the unhealthy deployment was skipped');
      aDown = false;
      await checker.checkNow();
      assert.equal(router.status()[0]!.healthy, true);
    } finally {
      checker.stop();
    }
  });

  test('runs periodically and stops cleanly: no results after stop()', async () => {
    const results: HealthCheckResult[] = [];
    const model = new ScriptedModel({ whenEmpty: reply('ok') });
    const checker = startHealthChecks({ deployments: [{ id: 'm', model }], intervalMs: 10, onResult: (r) => results.push(r) });
    // Poll rather than sleep a fixed time: the machine is shared and timers may run late.
    for (let waited = 0; results.length < 3 && waited < 10_000; waited += 10) await tick(10);
    checker.stop();
    const seen = results.length;
    assert.ok(seen >= 3, `expected several rounds, got ${seen}`);
    assert.ok(results.every((r) => r.healthy && r.id === 'm'));
    await tick(50);
    assert.equal(results.length, seen);
    assert.equal(checker.stopped, true);
  });

  test('a probe slower than its timeout is unhealthy (timeout), and stop() aborts probes in flight', async () => {
    const model = new ScriptedModel({ script: [hang({ ignoreAbort: true }), hang()] });
    const checker = startHealthChecks({ deployments: [{ id: 'm', model }], runImmediately: false, timeoutMs: 20 });
    const [result] = await checker.checkNow();
    assert.equal(result!.healthy, false);
    assert.equal(result!.error?.kind, 'timeout');
    const pending = startHealthChecks({ deployments: [{ id: 'm', model }], runImmediately: false, timeoutMs: 60_000 });
    const round = pending.checkNow();
    await tick(5);
    pending.stop();
    const [stopped] = await round;
    assert.equal(stopped!.error?.kind, 'cancelled');
    checker.stop();
  });

  test('the default probe is a 1-token generate', async () => {
    const model = new ScriptedModel({ script: [reply('p'), fail('authentication')] });
    await defaultHealthProbe(model, new AbortController().signal);
    assert.equal(model.calls[0]!.request.maxTokens, 1);
    await assert.rejects(defaultHealthProbe(model, new AbortController().signal));
  });
});
