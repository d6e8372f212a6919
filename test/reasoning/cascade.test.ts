import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SupportCascade, modelClassifier, rejectUncertainAnswers, type CascadeConfig, type HandoffRequest } from '../../src/reasoning/cascade.js';
import { ScriptedModel, fail, reply } from '../support/scripted-model.js';

const rules: CascadeConfig['rules'] = [
  { id: 'routing-number', pattern: /routing number/i, answer: 'Our routing number is 123456789' },
  { id: 'hours', pattern: /^hours.*open/i, answer: 'Branches open Mon-Fri 9am-5pm' },
];

const facts: Record<string, string[]> = {
  BALANCE: ['This may be a UI caching issue. Ask the user to refresh.', 'Check whether they use the mobile app or the web.'],
  DEPOSIT: ['Deposits typically clear in 1-2 business days.'],
};

describe('SupportCascade', () => {
  test('a regex hit answers at zero cost and never calls a model', async () => {
    const model = new ScriptedModel();
    const classifierModel = new ScriptedModel();
    const cascade = new SupportCascade({ rules, model, classifier: modelClassifier({ model: classifierModel, intents: ['BALANCE'] }) });
    const out = await cascade.handle('What is your ROUTING NUMBER?');
    assert.equal(out.answeredBy, 'rules');
    assert.equal(out.ruleId, 'routing-number');
    assert.equal(out.answer, 'Our routing number is 123456789');
    assert.equal(out.costUsd, 0);
    assert.equal(out.calls, 0);
    assert.equal(model.callCount, 0);
    assert.equal(classifierModel.callCount, 0);
    assert.deepEqual(out.path, ['rules']);
  });

  test('classifier route: a cheap model picks the intent, its facts are injected, the main model answers', async () => {
    const classifierModel = new ScriptedModel().enqueue(reply('INTENT: BALANCE\nCONFIDENCE: 0.92', { costUsd: 0.0005 }));
    const model = new ScriptedModel().enqueue(reply('Please refresh the page; the balance view may be cached.', { costUsd: 0.03 }));
    const cascade = new SupportCascade({
      rules,
      model,
      classifier: modelClassifier({ model: classifierModel, intents: ['BALANCE', 'DEPOSIT', 'OTHER'] }),
      context: ({ intent }) => facts[intent] ?? [],
    });
    const out = await cascade.handle('My money is not showing');
    assert.equal(out.answeredBy, 'model');
    assert.equal(out.intent, 'BALANCE');
    assert.equal(out.intentConfidence, 0.92);
    assert.deepEqual(out.context, facts.BALANCE);
    assert.deepEqual(out.path, ['rules', 'classifier', 'context', 'model', 'validation']);
    assert.ok(Math.abs(out.costUsd - 0.0305) < 1e-12);
    assert.equal(out.calls, 2);
    const system = String(model.calls[0]!.request.messages[0]!.content);
    assert.match(system, /Category: BALANCE/);
    assert.match(system, /UI caching issue/);
    assert.match(system, /Never make up policy details/);
    assert.equal(model.calls[0]!.request.messages[1]!.content, 'My money is not showing');
  });

  test('low classifier confidence falls back to OTHER; intent answers and handoff intents skip the model', async () => {
    const model = new ScriptedModel().enqueue(reply('Here is what I can tell you.'));
    const handoffs: HandoffRequest[] = [];
    const cascade = new SupportCascade({
      model,
      classifier: (query) => (query.includes('fraud') ? { intent: 'FRAUD', confidence: 0.99 } : query.includes('hours') ? { intent: 'HOURS', confidence: 0.9 } : { intent: 'BALANCE', confidence: 0.3 }),
      intentAnswers: { HOURS: 'We are open 9-5.' },
      handoffIntents: ['FRAUD'],
      onHandoff: (h) => {
        handoffs.push(h);
        return 'A fraud specialist will call you within 15 minutes.';
      },
    });
    const canned = await cascade.handle('what are your hours');
    assert.deepEqual([canned.answeredBy, canned.answer], ['classifier', 'We are open 9-5.']);
    const fraud = await cascade.handle('I see fraud on my card');
    assert.deepEqual([fraud.answeredBy, fraud.handoffReason, fraud.answer], ['handoff', 'handoff_intent', 'A fraud specialist will call you within 15 minutes.']);
    assert.equal(handoffs[0]?.intent, 'FRAUD');
    assert.equal(model.callCount, 0);
    const vague = await cascade.handle('something odd');
    assert.equal(vague.intent, 'OTHER');
    assert.equal(vague.intentConfidence, 0.3);
    assert.equal(vague.answeredBy, 'model');
  });

  test('output validation: a rejected answer is retried once with feedback, then handed to a human', async () => {
    const model = new ScriptedModel().enqueue(reply('I think your deposit is probably pending.'), reply("Maybe it is pending, I'm not sure."));
    const handoffs: HandoffRequest[] = [];
    const cascade = new SupportCascade({ model, onHandoff: (h) => void handoffs.push(h) });
    const out = await cascade.handle('where is my deposit');
    assert.equal(out.answeredBy, 'handoff');
    assert.equal(out.handoffReason, 'validation_failed');
    assert.equal(out.answer, "I'll connect you with a specialist.");
    assert.equal(out.modelAttempts, 2);
    assert.equal(out.validationFailures.length, 2);
    assert.equal(model.callCount, 2);
    const retry = model.calls[1]!.request.messages;
    assert.equal(retry.length, 4);
    assert.equal(retry[2]!.content, 'I think your deposit is probably pending.');
    assert.match(String(retry[3]!.content), /rejected: .*uncertainty marker "I think"/);
    assert.equal(handoffs.length, 1);
    assert.equal(handoffs[0]!.lastAnswer, "Maybe it is pending, I'm not sure.");
  });

  test('a retry that passes validation is answered by the model; a model error hands off', async () => {
    const model = new ScriptedModel().enqueue(reply('probably tomorrow'), reply('Deposits clear in 1-2 business days.'), fail('provider_unavailable'));
    const cascade = new SupportCascade({ model });
    const fixed = await cascade.handle('when does my deposit clear');
    assert.deepEqual([fixed.answeredBy, fixed.answer, fixed.modelAttempts], ['model', 'Deposits clear in 1-2 business days.', 2]);
    const broken = await cascade.handle('hello?');
    assert.deepEqual([broken.answeredBy, broken.handoffReason], ['handoff', 'model_error']);
    assert.ok(broken.error !== undefined);
  });

  test('stats count every tier across calls, with cost per tier', async () => {
    let clock = 0;
    const model = new ScriptedModel().enqueue(reply('Deposits clear in 1-2 business days.', { costUsd: 0.03 }), reply('I think so'), reply('maybe'));
    const cascade = new SupportCascade({
      rules,
      model,
      classifier: () => ({ intent: 'DEPOSIT', confidence: 0.9, spend: { calls: 1, usage: { inputTokens: 5, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, costUsd: 0.0005, unpricedCalls: 0 } }),
      context: ({ intent }) => facts[intent] ?? [],
      now: () => (clock += 10),
    });
    await cascade.handle('routing number please');
    await cascade.handle('Hours: are you open today?');
    await cascade.handle('deposit missing');
    await cascade.handle('deposit still missing');
    const stats = cascade.stats.snapshot();
    assert.equal(stats.queries, 4);
    assert.deepEqual(
      Object.fromEntries(Object.entries(stats.tiers).map(([tier, s]) => [tier, [s.reached, s.answered, s.failed]])),
      { rules: [4, 2, 0], classifier: [2, 0, 0], context: [2, 0, 0], model: [3, 1, 0], validation: [3, 0, 2], handoff: [1, 1, 0] },
    );
    assert.ok(Math.abs(stats.tiers.model.costUsd - 0.03) < 1e-12);
    assert.ok(Math.abs(stats.tiers.classifier.costUsd - 0.001) < 1e-12);
    assert.ok(Math.abs(stats.totalCostUsd - 0.031) < 1e-12);
    assert.equal(stats.tiers.rules.costUsd, 0);
    assert.equal(stats.tiers.model.calls, 3);
    assert.ok(stats.tiers.model.meanLatencyMs > 0);
    cascade.stats.reset();
    assert.equal(cascade.stats.snapshot().queries, 0);
  });
});

describe('rejectUncertainAnswers', () => {
  test('matches the markers case-insensitively (the guide code compared against lower-case text and missed them)', async () => {
    const ctx = { query: 'q', intent: 'OTHER', context: [] };
    assert.equal((await rejectUncertainAnswers('I THINK so', ctx)).ok, false);
    assert.equal((await rejectUncertainAnswers('I’m not sure', ctx)).ok, false);
    assert.equal((await rejectUncertainAnswers('', ctx)).ok, false);
    assert.equal((await rejectUncertainAnswers('Your balance is $10.', ctx)).ok, true);
  });
});
