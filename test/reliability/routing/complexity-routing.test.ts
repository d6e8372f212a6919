import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import type { ModelRequest, StreamPart } from '../../../src/models/language-model.js';
import { createRouter } from '../../../src/reliability/router.js';
import {
  applyComplexityRules,
  complexityClassifier,
  complexityRouting,
  formatRouteReason,
  requestSignals,
  type ComplexityRoutingOptions,
  type RouteDecision,
  type RoutingCallOptions,
} from '../../../src/reliability/routing/index.js';
import { fail, reply, ScriptedModel } from '../../support/scripted-model.js';

const user = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }] });

/** Plain prose of 300+ characters, one turn, no code, no reasoning keyword: the rules cannot decide it. */
const UNDECIDED = user(
  'We are planning the team offsite for next spring and would like a few ideas for the agenda. ' +
    'There will be about twenty people, a mix of engineers and designers, and we have two days. ' +
    'We want some time for planning the roadmap, some for socialising and some for a workshop of some kind.',
);

function setup(options: ComplexityRoutingOptions = {}) {
  const small = new ScriptedModel({ modelId: 'small-model', whenEmpty: reply('from small') });
  const large = new ScriptedModel({ modelId: 'large-model', whenEmpty: reply('from large') });
  const decisions: RouteDecision[] = [];
  const router = createRouter({
    name: 'assistant',
    strategy: 'weighted',
    policy: complexityRouting(options),
    deployments: [
      { id: 'small', model: small, tier: 'small' },
      { id: 'large', model: large, tier: 'large' },
    ],
  });
  const opts: RoutingCallOptions = { routing: { onRoute: (d) => decisions.push(d) } };
  return { small, large, router, decisions, opts };
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = '';
  for await (const part of stream) if (part.type === 'text-delta') text += part.delta;
  return text;
}

describe('complexity routing: rules', () => {
  test('"hi" goes to the small tier by the short-question rule', async () => {
    const { router, decisions, opts } = setup();
    assert.equal((await router.generate(user('hi'), opts)).text, 'from small');
    assert.equal(decisions[0]?.reason, 'complexity:rule:short');
    assert.equal(formatRouteReason(decisions[0]!), 'complexity:rule:short; first=small');
  });

  test('a question asking to prove something about code goes to the large tier', async () => {
    const { router, decisions, opts, small } = setup();
    const proof = user('Prove that this function terminates for every n:\n```python\ndef f(n):\n    while n > 1:\n        n = n // 2\n```');
    assert.equal((await router.generate(proof, opts)).text, 'from large');
    assert.equal(decisions[0]?.reason, 'complexity:rule:code');
    assert.equal(small.callCount, 0);
  });

  test('reasoning keywords, tool use, long prompts and long conversations are complex', () => {
    const verdict = (r: ModelRequest) => applyComplexityRules(requestSignals(r));
    assert.deepEqual(verdict(user('Explain step by step why the sky is blue')), { label: 'complex', rule: 'keyword', match: 'step by step' });
    assert.equal(verdict(user('Can you PROVE it?'))?.rule, 'keyword');
    assert.notEqual(verdict(user('improve my tagline'))?.rule, 'keyword', '"improve" is not "prove"');
    assert.equal(verdict({ ...user('what time is it in Paris?'), tools: [{ name: 'clock', description: 'time', parameters: { type: 'object' } }] })?.rule, 'tool_use');
    assert.equal(verdict(user('a'.repeat(5000)))?.rule, 'length');
    const turns: ModelRequest = { messages: Array.from({ length: 7 }, (_, i) => [{ role: 'user' as const, content: `q${i}` }, { role: 'assistant' as const, content: `a${i}` }]).flat() };
    assert.equal(verdict(turns)?.rule, 'turns');
    assert.equal(verdict(UNDECIDED), undefined, 'plain prose over 200 chars is left to the classifier');
  });

  test('rule thresholds and keywords are configurable', async () => {
    const { router, decisions, opts } = setup({ rules: { simpleMaxChars: 1000 }, keywords: ['offsite'] });
    assert.equal((await router.generate(user('Summarise our quarterly numbers briefly, please, in plain words for the whole team.'), opts)).text, 'from small');
    assert.equal((await router.generate(UNDECIDED, opts)).text, 'from large');
    assert.equal(decisions[1]?.reason, 'complexity:rule:keyword');
  });
});

describe('complexity routing: classifier', () => {
  test('consulted only when the rules are undecided; its label picks the tier', async () => {
    const classifierModel = new ScriptedModel({ modelId: 'classifier', script: [reply('INTENT: SIMPLE\nCONFIDENCE: 0.9'), reply('INTENT: COMPLEX\nCONFIDENCE: 0.8')] });
    const { router, decisions, opts, small, large } = setup({ classifier: complexityClassifier(classifierModel) });
    await router.generate(user('hi'), opts);
    await router.generate(user('Prove it:\n```js\nlet a = 1;\n```'), opts);
    assert.equal(classifierModel.callCount, 0, 'rules decided both: no classifier call');

    assert.equal((await router.generate(UNDECIDED, opts)).text, 'from small');
    assert.equal(classifierModel.callCount, 1);
    assert.equal(decisions[2]?.reason, 'complexity:classifier');
    assert.equal(decisions[2]?.detail?.confidence, 0.9);
    assert.match(JSON.stringify(classifierModel.calls[0]!.request.messages), /SIMPLE \| COMPLEX/);

    assert.equal((await router.generate(UNDECIDED, opts)).text, 'from large');
    assert.equal(classifierModel.callCount, 2);
    assert.equal(small.callCount, 2);
    assert.equal(large.callCount, 2);
  });

  test('an unsure or failing classifier sends the request to the large tier', async () => {
    const classifierModel = new ScriptedModel({ modelId: 'classifier', script: [reply('INTENT: SIMPLE\nCONFIDENCE: 0.2'), fail('provider_unavailable'), reply('no idea')] });
    const { router, decisions, opts } = setup({ classifier: complexityClassifier(classifierModel) });
    for (let i = 0; i < 3; i++) assert.equal((await router.generate(UNDECIDED, opts)).text, 'from large');
    assert.deepEqual(
      decisions.map((d) => d.reason),
      ['complexity:classifier-unsure', 'complexity:classifier-failed', 'complexity:classifier-unsure'],
    );
  });

  test('without a classifier, undecided requests go to the large tier', async () => {
    const { router, decisions, opts } = setup();
    assert.equal((await router.generate(UNDECIDED, opts)).text, 'from large');
    assert.equal(decisions[0]?.reason, 'complexity:default-large');
  });

  test('a cancelled request is not routed around by the classifier', async () => {
    const classify = async () => {
      throw new ConduitError('cancelled', 'caller went away');
    };
    const { router, large } = setup({ classifier: classify });
    await assert.rejects(router.generate(UNDECIDED), (err: unknown) => err instanceof ConduitError && err.kind === 'cancelled');
    assert.equal(large.callCount, 0);
  });
});

describe('complexity routing: failover', () => {
  test('a simple request escalates to the large tier when the small one fails; a complex one never drops to small', async () => {
    const { router, small, large } = setup();
    small.enqueue(fail('provider_error'));
    assert.equal((await router.generate(user('hi'))).text, 'from large');
    large.enqueue(fail('provider_error'));
    const smallBefore = small.callCount;
    await assert.rejects(router.generate(user('Prove that √2 is irrational.')), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.equal(small.callCount, smallBefore, 'the complex request was not served by the small tier');
  });

  test('streams are routed the same way', async () => {
    const { router, decisions, opts } = setup();
    assert.equal(await collect(router.stream(user('hi'), opts)), 'from small');
    assert.equal(await collect(router.stream(user('Derive the formula step by step'), opts)), 'from large');
    assert.deepEqual(decisions.map((d) => d.reason), ['complexity:rule:short', 'complexity:rule:keyword']);
  });

  test('an alias missing a tier is a configuration error', () => {
    const m = new ScriptedModel();
    assert.throws(() => createRouter({ name: 'a', strategy: 'weighted', policy: complexityRouting(), deployments: [{ id: 'x', model: m, tier: 'small' }] }), /no deployment has tier "large"/);
  });
});
