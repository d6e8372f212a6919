import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../core/errors.js';
import type { AttemptEvent, ModelRequest } from '../models/language-model.js';
import { createManualClock } from './clock.js';
import { createRouter } from './router.js';
import { chooseDeployment, chooseWeighted, updateEma, type DeploymentLoad } from './strategies.js';
import { delayed, fail, hang, reply, ScriptedModel, seededRandom } from '../../test/support/scripted-model.js';

const request: ModelRequest = { messages: [{ role: 'user', content: 'hi' }] };
const load = (id: string, index: number, extra: Partial<DeploymentLoad> = {}): DeploymentLoad => ({ id, index, weight: 1, inFlight: 0, latencyEmaMs: undefined, ...extra });

describe('strategies', () => {
  test('weighted: 1000 picks follow the weights within tolerance', () => {
    const random = seededRandom(42);
    const candidates = [load('a', 0, { weight: 1 }), load('b', 1, { weight: 3 }), load('c', 2, { weight: 0 })];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[chooseWeighted(candidates, random)!.id]!++;
    assert.equal(counts.c, 0, 'weight 0 is never picked');
    assert.ok(Math.abs(counts.b! / 1000 - 0.75) < 0.05, `b got ${counts.b}`);
    assert.ok(Math.abs(counts.a! / 1000 - 0.25) < 0.05, `a got ${counts.a}`);
  });

  test('least-busy picks the idle one; ties are broken at random', () => {
    const busy = [load('a', 0, { inFlight: 3 }), load('b', 1, { inFlight: 0 }), load('c', 2, { inFlight: 1 })];
    assert.equal(chooseDeployment('least-busy', busy, Math.random)!.id, 'b');
    const tied = [load('a', 0), load('b', 1)];
    assert.equal(chooseDeployment('least-busy', tied, () => 0)!.id, 'a');
    assert.equal(chooseDeployment('least-busy', tied, () => 0.99)!.id, 'b');
  });

  test('lowest-latency tries unmeasured deployments first, then the fastest', () => {
    const c = [load('a', 0, { latencyEmaMs: 50 }), load('b', 1), load('c', 2, { latencyEmaMs: 10 })];
    assert.equal(chooseDeployment('lowest-latency', c, Math.random)!.id, 'b');
    c[1]!.latencyEmaMs = 80;
    assert.equal(chooseDeployment('lowest-latency', c, Math.random)!.id, 'c');
  });

  test('ordered picks the first by configuration order', () => {
    assert.equal(chooseDeployment('ordered', [load('z', 2), load('y', 1)], Math.random)!.id, 'y');
  });

  test('updateEma seeds with the first sample and moves by alpha', () => {
    assert.equal(updateEma(undefined, 100, 0.3), 100);
    assert.equal(updateEma(100, 200, 0.5), 150);
  });
});

describe('createRouter', () => {
  test('weighted routing over 1000 requests follows the weights', async () => {
    const a = new ScriptedModel({ provider: 'openai', whenEmpty: reply('a') });
    const b = new ScriptedModel({ provider: 'anthropic', whenEmpty: reply('b') });
    const router = createRouter({ name: 'pool', strategy: 'weighted', deployments: [{ id: 'a', model: a, weight: 1 }, { id: 'b', model: b, weight: 4 }], random: seededRandom(7) });
    for (let i = 0; i < 1000; i++) await router.generate(request);
    assert.ok(Math.abs(b.callCount / 1000 - 0.8) < 0.05, `b served ${b.callCount}`);
    assert.equal(a.callCount + b.callCount, 1000);
  });

  test('least-busy sends the next request to the idle deployment', async () => {
    const a = new ScriptedModel({ script: [hang()], whenEmpty: reply('a') });
    const b = new ScriptedModel({ whenEmpty: reply('b') });
    const router = createRouter({ name: 'pool', strategy: 'least-busy', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }], random: () => 0 });
    const controller = new AbortController();
    const pending = router.generate(request, { signal: controller.signal }); // random 0 → a (tie), which hangs
    await new Promise((r) => setImmediate(r));
    assert.equal(router.status().find((s) => s.id === 'a')!.inFlight, 1);
    for (let i = 0; i < 3; i++) assert.equal((await router.generate(request)).text, 'b');
    controller.abort();
    await assert.rejects(pending, (err: unknown) => err instanceof ConduitError && err.kind === 'cancelled');
    assert.equal(router.status().find((s) => s.id === 'a')!.inFlight, 0);
  });

  test('lowest-latency converges to the faster deployment', async () => {
    const clock = createManualClock();
    const slow = new ScriptedModel({ sleep: clock.sleep, whenEmpty: delayed(200, reply('slow')) });
    const fast = new ScriptedModel({ sleep: clock.sleep, whenEmpty: delayed(20, reply('fast')) });
    const router = createRouter({ name: 'pool', strategy: 'lowest-latency', clock, deployments: [{ id: 'slow', model: slow }, { id: 'fast', model: fast }], random: seededRandom(1) });
    for (let i = 0; i < 50; i++) await router.generate(request);
    assert.equal(slow.callCount, 1, 'slow is measured once, then avoided');
    assert.equal(fast.callCount, 49);
    const status = router.status();
    assert.equal(status.find((s) => s.id === 'slow')!.latencyEmaMs, 200);
    assert.equal(status.find((s) => s.id === 'fast')!.latencyEmaMs, 20);
  });

  test('for streams, lowest-latency measures time to first content, not the whole stream', async () => {
    const clock = createManualClock();
    const model = new ScriptedModel({ sleep: clock.sleep, script: [{ ...reply('abcdefghijkl'), delayMs: 100, chunkDelayMs: 10 }] });
    const router = createRouter({ name: 'pool', strategy: 'lowest-latency', clock, deployments: [{ id: 'm', model }] });
    for await (const _part of router.stream(request)) {
      // drain
    }
    assert.equal(clock.now() - 1_000_000, 130, 'the whole stream took 130 ms');
    assert.equal(router.status()[0]!.latencyEmaMs, 110);
  });

  test('fails over to the next deployment on a retryable error; the result names the serving provider', async () => {
    const a = new ScriptedModel({ provider: 'openai', script: [fail('provider_unavailable', { upstreamStatus: 503 })] });
    const b = new ScriptedModel({ provider: 'azure', script: [reply('from b')] });
    const events: AttemptEvent[] = [];
    const router = createRouter({ name: 'pool', strategy: 'ordered', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    const result = await router.generate(request, { onAttempt: (e) => events.push(e) });
    assert.equal(result.text, 'from b');
    assert.equal(result.provider, 'azure');
    assert.deepEqual(
      events.map((e) => [e.layer, e.target, e.outcome]),
      [
        ['router:pool', 'a', 'failure'],
        ['router:pool', 'b', 'success'],
      ],
    );
  });

  test('does not fail over on a client error', async () => {
    const a = new ScriptedModel({ script: [fail('invalid_request')] });
    const b = new ScriptedModel({ script: [reply('b')] });
    const router = createRouter({ name: 'pool', strategy: 'ordered', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    await assert.rejects(router.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request');
    assert.equal(b.callCount, 0);
  });

  test('skips deployments whose circuit is open, and fails fast when all are', async () => {
    const clock = createManualClock();
    const a = new ScriptedModel({ whenEmpty: fail('provider_error') });
    const b = new ScriptedModel({ whenEmpty: reply('b') });
    const router = createRouter({ name: 'pool', strategy: 'ordered', clock, breaker: { failureThreshold: 2, cooldownMs: 1000 }, deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    for (let i = 0; i < 2; i++) assert.equal((await router.generate(request)).text, 'b');
    assert.equal(a.callCount, 2);
    assert.equal(router.status().find((s) => s.id === 'a')!.circuit!.state, 'open');
    for (let i = 0; i < 3; i++) await router.generate(request);
    assert.equal(a.callCount, 2, 'the open circuit is skipped');
    assert.equal(b.callCount, 5);

    const c = new ScriptedModel({ whenEmpty: fail('provider_error') });
    const lonely = createRouter({ name: 'solo', strategy: 'ordered', clock, breaker: { failureThreshold: 1, cooldownMs: 1000 }, deployments: [{ id: 'c', model: c }] });
    await assert.rejects(lonely.generate(request));
    await assert.rejects(lonely.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable' && err.code === 'no_available_deployment' && err.retryAfterMs === 1000);
    assert.equal(c.callCount, 1);
  });

  test('an unhealthy deployment is skipped until marked healthy again', async () => {
    const a = new ScriptedModel({ whenEmpty: reply('a') });
    const b = new ScriptedModel({ whenEmpty: reply('b') });
    const router = createRouter({ name: 'pool', strategy: 'ordered', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    router.setHealthy('a', false);
    assert.equal((await router.generate(request)).text, 'b');
    router.setHealthy('a', true);
    assert.equal((await router.generate(request)).text, 'a');
    assert.throws(() => router.setHealthy('nope', false), RangeError);
  });

  test('by default tries each deployment once; a carried budget is shared', async () => {
    const models = [0, 1, 2].map(() => new ScriptedModel({ whenEmpty: fail('provider_unavailable') }));
    const router = createRouter({ name: 'pool', strategy: 'ordered', deployments: models.map((model, i) => ({ id: `d${i}`, model })) });
    await assert.rejects(router.generate(request));
    assert.deepEqual(
      models.map((m) => m.callCount),
      [1, 1, 1],
    );
  });

  test('validates its configuration', () => {
    const m = new ScriptedModel();
    assert.throws(() => createRouter({ name: 'x', strategy: 'weighted', deployments: [] }), TypeError);
    assert.throws(() => createRouter({ name: 'x', strategy: 'weighted', deployments: [{ id: 'a', model: m }, { id: 'a', model: m }] }), TypeError);
    assert.throws(() => createRouter({ name: 'x', strategy: 'weighted', deployments: [{ id: 'a', model: m, weight: -1 }] }), TypeError);
    assert.throws(() => createRouter({ name: 'x', strategy: 'fastest' as 'ordered', deployments: [{ id: 'a', model: m }] }), TypeError);
  });

  test('capabilities are what every deployment supports', () => {
    const a = new ScriptedModel({ capabilities: { vision: false } });
    const b = new ScriptedModel();
    const router = createRouter({ name: 'x', strategy: 'weighted', deployments: [{ id: 'a', model: a }, { id: 'b', model: b }] });
    assert.deepEqual(router.capabilities, { streaming: true, tools: true, jsonSchema: true, vision: false });
    assert.equal(router.modelId, 'x');
  });
});
