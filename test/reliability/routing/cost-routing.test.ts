import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import type { ModelRequest } from '../../../src/models/language-model.js';
import { createPriceTable } from '../../../src/models/pricing/index.js';
import { countMessageTokens } from '../../../src/models/tokenizer/index.js';
import { createRouter, type RouterDeployment } from '../../../src/reliability/router.js';
import { costAwareRouting, requestCostEstimator, type CostRoutingOptions } from '../../../src/reliability/routing/index.js';
import type { RouteDecision, RoutingCallOptions } from '../../../src/reliability/routing/index.js';
import { fail, reply, ScriptedModel } from '../../support/scripted-model.js';

// USD per 1M tokens. With maxTokens 1000 the output dominates: cheap ≈ $0.0004, mid ≈ $0.002, premium ≈ $0.01.
const priceTable = createPriceTable({
  'scripted/cheap': { input: 0.1, output: 0.4 },
  'scripted/mid': { input: 0.5, output: 2 },
  'scripted/premium': { input: 2.5, output: 10 },
});

const request: ModelRequest = { messages: [{ role: 'user', content: 'Summarise the meeting notes in three bullet points.' }], maxTokens: 1000 };

function pool(quality: Partial<Record<'cheap' | 'mid' | 'premium', RouterDeployment['quality']>> = {}) {
  const models = {
    cheap: new ScriptedModel({ modelId: 'cheap', whenEmpty: reply('from cheap') }),
    mid: new ScriptedModel({ modelId: 'mid', whenEmpty: reply('from mid') }),
    premium: new ScriptedModel({ modelId: 'premium', whenEmpty: reply('from premium') }),
  };
  const deployments: RouterDeployment[] = [
    // Configuration order is deliberately not price order: the policy must sort by cost itself.
    { id: 'premium', model: models.premium, quality: quality.premium ?? 0.95 },
    { id: 'cheap', model: models.cheap, quality: quality.cheap ?? 0.6 },
    { id: 'mid', model: models.mid, quality: quality.mid ?? 0.85 },
  ];
  return { models, deployments };
}

function router(deployments: RouterDeployment[], options: Partial<CostRoutingOptions> = {}, failureThreshold = 5) {
  return createRouter({ name: 'assistant', strategy: 'weighted', deployments, policy: costAwareRouting({ priceTable, ...options }), breaker: { failureThreshold, cooldownMs: 60_000 } });
}

function refusal(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ConduitError, `expected a ConduitError, got ${String(err)}`);
    assert.equal(err.kind, 'policy_refusal');
    assert.equal(err.code, 'no_qualifying_deployment');
    assert.match(err.message, pattern);
    return true;
  };
}

describe('cost-aware routing', () => {
  test('serves with the cheapest deployment whose quality meets the threshold', async () => {
    const { models, deployments } = pool();
    const r = router(deployments, { minQuality: 0.8 });
    const result = await r.generate(request);
    assert.equal(result.text, 'from mid', 'mid (0.85) is the cheapest ≥ 0.8; cheap (0.6) does not qualify');
    assert.equal(models.cheap.callCount + models.premium.callCount, 0);
  });

  test('the request threshold overrides the default, both ways', async () => {
    const { deployments } = pool();
    const r = router(deployments, { minQuality: 0.8 });
    const low: RoutingCallOptions = { routing: { minQuality: 0.5 } };
    const high: RoutingCallOptions = { routing: { minQuality: 0.9 } };
    assert.equal((await r.generate(request, low)).text, 'from cheap');
    assert.equal((await r.generate(request, high)).text, 'from premium');
  });

  test('a budget excludes an expensive deployment, also from failover', async () => {
    const { models, deployments } = pool();
    models.mid.enqueue(fail('provider_error'), fail('provider_error'));
    const r = router(deployments, { minQuality: 0.8 });
    // Without a budget the failed mid fails over to premium, the next cheapest that qualifies.
    assert.equal((await r.generate(request)).text, 'from premium');
    // With a budget premium (~$0.01) cannot take over: the request fails with mid's error instead.
    const budgeted: RoutingCallOptions = { routing: { maxCostUsd: 0.005 } };
    await assert.rejects(r.generate(request, budgeted), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.equal(models.premium.callCount, 1, 'premium was reached only by the unbudgeted request');
  });

  test('nothing qualifies: a typed refusal naming the threshold and the budget', async () => {
    const { models, deployments } = pool();
    const r = router(deployments);
    await assert.rejects(r.generate(request, { routing: { minQuality: 0.9, maxCostUsd: 0.005 } } as RoutingCallOptions), refusal(/quality 0\.9 .*a budget of \$0\.00500/));
    await assert.rejects(r.generate(request, { routing: { minQuality: 0.99 } } as RoutingCallOptions), refusal(/quality 0\.99 .*no budget.*premium \(quality 0\.95/));
    assert.equal(models.cheap.callCount + models.mid.callCount + models.premium.callCount, 0, 'a refused request reaches no model');
  });

  test('on_no_match cheapest relaxes the quality bar but never the budget', async () => {
    const { deployments } = pool();
    const r = router(deployments, { onNoMatch: 'cheapest' });
    const decisions: RouteDecision[] = [];
    const options: RoutingCallOptions = { routing: { minQuality: 0.99, onRoute: (d) => decisions.push(d) } };
    assert.equal((await r.generate(request, options)).text, 'from cheap');
    assert.equal(decisions[0]?.reason, 'cost:no-match-cheapest');
    await assert.rejects(r.generate(request, { routing: { minQuality: 0.99, maxCostUsd: 0.0001 } } as RoutingCallOptions), refusal(/\$0\.000100/));
  });

  test('on_no_match may name a fallback deployment', async () => {
    const { deployments } = pool();
    const r = router(deployments, { onNoMatch: { deployment: 'mid' } });
    assert.equal((await r.generate(request, { routing: { minQuality: 0.99 } } as RoutingCallOptions)).text, 'from mid');
    assert.throws(() => router(deployments, { onNoMatch: { deployment: 'nope' } }), /on_no_match names no deployment/);
  });

  test('a deployment with an open circuit or marked unhealthy is skipped for the next cheapest', async () => {
    const { models, deployments } = pool();
    models.mid.enqueue(fail('provider_error'));
    const r = router(deployments, { minQuality: 0.8 }, 1);
    assert.equal((await r.generate(request)).text, 'from premium', 'mid failed once and the request failed over');
    assert.equal(r.status().find((s) => s.id === 'mid')?.circuit?.state, 'open');
    const before = models.mid.callCount;
    assert.equal((await r.generate(request)).text, 'from premium');
    assert.equal(models.mid.callCount, before, 'the open circuit kept mid out of the route');

    const { models: m2, deployments: d2 } = pool();
    const r2 = router(d2, { minQuality: 0.5 });
    r2.setHealthy('cheap', false);
    assert.equal((await r2.generate(request)).text, 'from mid');
    assert.equal(m2.cheap.callCount, 0);
  });

  test('qualifying deployments that are all unavailable give 503, not a refusal', async () => {
    const { deployments } = pool();
    const r = router(deployments, { minQuality: 0.9 });
    r.setHealthy('premium', false);
    await assert.rejects(r.generate(request), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable' && /premium is unhealthy/.test(err.message));
  });

  test('per-task quality: a code request uses the code score', async () => {
    const { deployments } = pool({ cheap: { default: 0.9, code: 0.5 } });
    const r = router(deployments, { minQuality: 0.8 });
    assert.equal((await r.generate(request)).text, 'from cheap');
    const code: ModelRequest = { messages: [{ role: 'user', content: 'Fix this:\n```js\nconst x = ;\n```' }], maxTokens: 1000 };
    assert.equal((await r.generate(code)).text, 'from mid', 'cheap scores 0.5 for code');
    assert.equal((await r.generate(request, { routing: { taskType: 'code' } } as RoutingCallOptions)).text, 'from mid', 'the task type header wins');
  });

  test('a deployment with no known price is never chosen', async () => {
    const unpriced = new ScriptedModel({ modelId: 'mystery', whenEmpty: reply('from mystery') });
    const { deployments } = pool();
    const r = router([{ id: 'mystery', model: unpriced, quality: 1 }, ...deployments], { minQuality: 0.9 });
    assert.equal((await r.generate(request)).text, 'from premium');
    assert.equal(unpriced.callCount, 0);
  });

  test('onRoute reports the decision with each deployment\'s estimate, ranked by cost', async () => {
    const { deployments } = pool();
    const r = router(deployments, { minQuality: 0.5 });
    let decision: RouteDecision | undefined;
    await r.generate(request, { routing: { onRoute: (d) => (decision = d) } } as RoutingCallOptions);
    assert.ok(decision);
    assert.equal(decision.reason, 'cost:cheapest-qualifying');
    assert.deepEqual(decision.groups, [['cheap'], ['mid'], ['premium']]);
    const estimates = decision.detail?.estimates as Record<string, { costUsd: number }>;
    assert.ok(estimates.cheap!.costUsd < estimates.mid!.costUsd && estimates.mid!.costUsd < estimates.premium!.costUsd);
  });

  test('a deployment without a quality score is a configuration error', () => {
    const m = new ScriptedModel({ modelId: 'cheap' });
    assert.throws(() => router([{ id: 'cheap', model: m }]), /deployment "cheap" needs a quality score/);
  });
});

describe('requestCostEstimator', () => {
  test('prices the prompt with the model\'s real tokenizer plus maxTokens or the expected output', () => {
    const table = createPriceTable();
    const messages: ModelRequest['messages'] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is the capital of France? Answer in one word.' },
    ];
    const inputTokens = countMessageTokens('openai', 'gpt-4o-mini', messages);
    const capped = requestCostEstimator({ messages, maxTokens: 100 }, table).estimate('openai', 'gpt-4o-mini');
    assert.equal(capped.inputTokens, inputTokens);
    assert.equal(capped.outputTokens, 100);
    // gpt-4o-mini: $0.15 in, $0.60 out per 1M tokens.
    assert.ok(Math.abs(capped.costUsd! - (inputTokens * 0.15 + 100 * 0.6) / 1e6) < 1e-12);
    const uncapped = requestCostEstimator({ messages }, table, 400).estimate('openai', 'gpt-4o-mini');
    assert.equal(uncapped.outputTokens, 400);
    assert.equal(requestCostEstimator({ messages }, table).estimate('scripted', 'unknown-model').costUsd, undefined);
  });
});
