import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import type { ModelRequest, StreamPart } from '../../../src/models/language-model.js';
import { createPriceTable } from '../../../src/models/pricing/index.js';
import { createFallbackChain } from '../../../src/reliability/fallback.js';
import { createRouter, type RouterDeployment } from '../../../src/reliability/router.js';
import { complexityRouting, costAwareRouting, createSensitivityGate, findRequestPii, type RouteDecision, type RoutingCallOptions } from '../../../src/reliability/routing/index.js';
import { fail, reply, ScriptedModel } from '../../support/scripted-model.js';

const user = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }] });
const WITH_EMAIL = user('Draft a reply to jane.doe@example.com about her refund.');
const WITH_CARD = user('My card 4111 1111 1111 1111 was charged twice.');
const CLEAN = user('Draft a polite reply about a refund.');

function setup(onPremHealthy = true) {
  const cloud = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o', whenEmpty: reply('from cloud') });
  const onprem = new ScriptedModel({ provider: 'ollama', modelId: 'llama3.1', whenEmpty: reply('from on-prem') });
  const deployments: RouterDeployment[] = [
    // The cloud deployment carries nearly all the weight: only the PII rule keeps requests off it.
    { id: 'cloud', model: cloud, weight: 1000 },
    { id: 'onprem', model: onprem, weight: 1, onPremises: true },
  ];
  const router = createRouter({ name: 'private', strategy: 'weighted', deployments, sensitivity: {}, random: () => 0 });
  if (!onPremHealthy) router.setHealthy('onprem', false);
  return { cloud, onprem, router };
}

function refused(code: string, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ConduitError, `expected a ConduitError, got ${String(err)}`);
    assert.equal(err.kind, 'policy_refusal');
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.delta;
  return text;
}

describe('data-sensitivity routing', () => {
  test('a request with PII goes only to the on-premises deployment', async () => {
    const { cloud, router } = setup();
    const decisions: RouteDecision[] = [];
    const opts: RoutingCallOptions = { routing: { onRoute: (d) => decisions.push(d) } };
    for (let i = 0; i < 5; i++) assert.equal((await router.generate(WITH_EMAIL, opts)).text, 'from on-prem');
    assert.equal(await collect(router.stream(WITH_CARD, opts)), 'from on-prem');
    assert.equal(cloud.callCount, 0);
    assert.equal(decisions[0]?.reason, 'pii:on-premises');
    assert.deepEqual(decisions[0]?.detail?.pii, ['email']);
    assert.deepEqual(decisions[5]?.detail?.pii, ['credit_card']);
  });

  test('a request without PII may go to the cloud, even when on-premises is down', async () => {
    const { cloud, router } = setup(false);
    assert.equal((await router.generate(CLEAN)).text, 'from cloud');
    assert.equal(cloud.callCount, 1);
  });

  test('PII with the on-premises deployment unhealthy is refused although the cloud one is healthy', async () => {
    const { cloud, onprem, router } = setup(false);
    await assert.rejects(router.generate(WITH_EMAIL), refused('on_premises_unavailable', /personal data \(email\).*not sent to any cloud deployment/));
    await assert.rejects(collect(router.stream(WITH_EMAIL)), refused('on_premises_unavailable', /email/));
    assert.equal(cloud.callCount + onprem.callCount, 0);
  });

  test('PII with no on-premises deployment configured is refused', async () => {
    const cloud = new ScriptedModel({ whenEmpty: reply('from cloud') });
    const router = createRouter({ name: 'cloud-only', strategy: 'weighted', deployments: [{ id: 'cloud', model: cloud }], sensitivity: {} });
    await assert.rejects(router.generate(WITH_CARD), refused('pii_requires_on_premises', /"cloud-only" has no deployment marked on_premises/));
    assert.equal(cloud.callCount, 0);
    assert.equal((await router.generate(CLEAN)).text, 'from cloud');
  });

  test('when the on-premises deployment fails, the router does not fail over to the cloud', async () => {
    const { cloud, onprem, router } = setup();
    onprem.enqueue(fail('provider_unavailable'));
    await assert.rejects(router.generate(WITH_EMAIL), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable');
    assert.equal(cloud.callCount, 0);
  });

  test('PII anywhere counts: system prompt, tool-call arguments, tool results', async () => {
    const toolResult: ModelRequest = {
      messages: [
        { role: 'user', content: 'Look up the customer.' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"id":42}' }] },
        { role: 'tool', toolCallId: 'c1', content: '{"ssn":"123-45-6789"}' },
      ],
    };
    assert.deepEqual(findRequestPii(toolResult), ['ssn']);
    const args: ModelRequest = { messages: [{ role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'mail', arguments: '{"to":"a.b@example.org"}' }] }] };
    assert.deepEqual(findRequestPii(args), ['email']);
    assert.deepEqual(findRequestPii({ messages: [{ role: 'system', content: 'Customer IBAN: DE89 3704 0044 0532 0130 00' }] }), ['iban']);
    assert.deepEqual(findRequestPii(CLEAN), []);
    assert.deepEqual(findRequestPii(WITH_EMAIL, ['phone']), [], 'only the configured entities count');
  });

  test('composes with cost-aware routing: the restriction applies before the policy', async () => {
    const priceTable = createPriceTable({ 'scripted/cheap-cloud': { input: 0.1, output: 0.1 }, 'scripted/onprem-big': { input: 1, output: 1 } });
    const cheapCloud = new ScriptedModel({ modelId: 'cheap-cloud', whenEmpty: reply('from cheap cloud') });
    const onprem = new ScriptedModel({ modelId: 'onprem-big', whenEmpty: reply('from on-prem') });
    const router = createRouter({
      name: 'mixed',
      strategy: 'weighted',
      policy: costAwareRouting({ priceTable, minQuality: 0.5 }),
      sensitivity: {},
      deployments: [
        { id: 'cheap-cloud', model: cheapCloud, quality: 0.9 },
        { id: 'onprem', model: onprem, quality: 0.9, onPremises: true },
      ],
    });
    let decision: RouteDecision | undefined;
    const opts: RoutingCallOptions = { routing: { onRoute: (d) => (decision = d) } };
    assert.equal((await router.generate(CLEAN, opts)).text, 'from cheap cloud');
    assert.equal((await router.generate(WITH_EMAIL, opts)).text, 'from on-prem');
    assert.equal(decision?.reason, 'pii:on-premises; cost:cheapest-qualifying');
    assert.deepEqual(decision?.groups, [['onprem']]);
  });

  test('composes with complexity routing: a PII request whose tier has no on-premises deployment is refused', async () => {
    const smallLocal = new ScriptedModel({ modelId: 'small-local', whenEmpty: reply('from small local') });
    const largeCloud = new ScriptedModel({ modelId: 'large-cloud', whenEmpty: reply('from large cloud') });
    const router = createRouter({
      name: 'tiered',
      strategy: 'weighted',
      policy: complexityRouting(),
      sensitivity: {},
      deployments: [
        { id: 'small-local', model: smallLocal, tier: 'small', onPremises: true },
        { id: 'large-cloud', model: largeCloud, tier: 'large' },
      ],
    });
    assert.equal((await router.generate(user('hi, I am jane@example.com'))).text, 'from small local');
    await assert.rejects(
      router.generate(user('Prove step by step that jane@example.com owes nothing.')),
      refused('pii_requires_on_premises', /serves this request's route \(pii:on-premises; complexity:rule:keyword\)/),
    );
    assert.equal(largeCloud.callCount, 0);
    assert.equal((await router.generate(user('Prove step by step that the invoice is paid.'))).text, 'from large cloud');
  });
});

describe('sensitivity gate over a fallback chain', () => {
  function gated() {
    const cloudFallback = new ScriptedModel({ modelId: 'cloud-fallback', whenEmpty: reply('from cloud fallback') });
    const localFallback = new ScriptedModel({ provider: 'llamacpp', modelId: 'local', whenEmpty: reply('from local fallback') });
    const onprem = new ScriptedModel({ modelId: 'onprem', whenEmpty: fail('provider_unavailable') });
    const router = createRouter({ name: 'private', strategy: 'weighted', deployments: [{ id: 'onprem', model: onprem, onPremises: true }], sensitivity: {} });
    const model = createSensitivityGate({
      name: 'private',
      general: createFallbackChain([router, cloudFallback, localFallback], { name: 'private' }),
      sensitive: createFallbackChain([router, localFallback], { name: 'private' }),
    });
    return { model, cloudFallback, localFallback, onprem };
  }

  test('a PII request falls back only to on-premises targets; others use the whole chain', async () => {
    const { model, cloudFallback, localFallback, onprem } = gated();
    assert.equal((await model.generate(WITH_EMAIL)).text, 'from local fallback');
    assert.equal(cloudFallback.callCount, 0);
    assert.equal(onprem.callCount, 1);
    assert.equal((await model.generate(CLEAN)).text, 'from cloud fallback');
    assert.equal(localFallback.callCount, 1);
  });

  test('the gate tells the router what it found, so the request is scanned once', async () => {
    const { model, onprem } = gated();
    onprem.setWhenEmpty(reply('from on-prem'));
    const decisions: RouteDecision[] = [];
    const opts: RoutingCallOptions = { routing: { onRoute: (d) => decisions.push(d) } };
    await model.generate(CLEAN, opts);
    await model.generate(WITH_EMAIL, opts);
    assert.deepEqual(
      decisions.map((d) => [d.reason, d.detail?.pii]),
      [
        ['strategy:weighted', undefined],
        ['pii:on-premises', ['email']],
      ],
    );
    // The router trusts a scan it is handed: a hint of PII restricts even text it would find clean.
    const cloud = new ScriptedModel({ whenEmpty: reply('from cloud') });
    const router = createRouter({ name: 'r', strategy: 'weighted', deployments: [{ id: 'cloud', model: cloud }], sensitivity: {} });
    await assert.rejects(router.generate(CLEAN, { routing: { piiEntities: ['email'] } } as RoutingCallOptions), refused('pii_requires_on_premises', /email/));
    assert.equal(cloud.callCount, 0);
  });
});
