/**
 * The orchestration patterns against scripted models SERVED BY THE FAKE UPSTREAM: the real openai
 * provider speaks HTTP to a fake that replays OpenAI's wire format, so these tests also cover the
 * request each pattern actually sends (temperature, logprobs, response_format) and the usage it sums.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import type { RecordedRequest, Scenario } from '../fake-upstream/scenario.js';
import { createOpenAIModel } from '../../src/models/providers/openai/index.js';
import { chainOfThought, modelClassifier, selfConsistency, SupportCascade, treeOfThought } from '../../src/reasoning/index.js';
import { generateObject, StructuredOutputError } from '../../src/structured/index.js';
import type { LanguageModel } from '../../src/models/language-model.js';

let fake: FakeOpenAI;
let model: LanguageModel;
let script: (req: RecordedRequest) => Scenario = () => ({ kind: 'reply', text: 'unset' });

before(async () => {
  fake = await startFakeOpenAI({ scenarios: (req) => script(req) });
  model = createOpenAIModel({ baseURL: fake.url, apiKey: 'sk-test', modelId: 'gpt-4o-mini' });
});
after(() => fake.close());

const reply = (text: string, inputTokens = 20, outputTokens = 10): Scenario => ({ kind: 'reply', text, usage: { inputTokens, outputTokens } });
const bodyOf = (req: RecordedRequest) => req.body as Record<string, unknown>;
const lastUserText = (req: RecordedRequest): string => {
  const messages = bodyOf(req).messages as { role: string; content: unknown }[];
  return String(messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
};

test('chain-of-thought extracts the marked answer from a reply sent over HTTP and sums usage', async () => {
  script = () => reply('Monthly rate 0.05/12, 24 periods.\n1000*(1+0.05/12)^24 = 1104.94\nFinal answer: $1,104.94', 40, 25);
  const start = fake.requests.length;
  const r = await chainOfThought({ model, question: 'What is $1000 at 5% compounded monthly for 2 years?' });
  assert.equal(r.normalizedAnswer, '1104.94');
  assert.equal(r.usage.inputTokens, 40);
  assert.equal(r.usage.outputTokens, 25);
  assert.equal(fake.requests.length - start, 1);
});

test('self-consistency sends N parallel samples at its temperature and votes on the normalised answers', async () => {
  const answers = ['Final answer: 42', 'Final answer: 42.0', 'Final answer: 41', 'Final answer: $42', 'Final answer: 17'];
  let i = 0;
  script = () => reply(answers[i++ % answers.length]!);
  const start = fake.requests.length;
  const r = await selfConsistency({ model, question: 'What is 6 × 7?', voting: 'majority', minConfidence: 0.5 });
  const sent = fake.requests.slice(start);
  assert.equal(sent.length, 5);
  for (const req of sent) assert.equal(bodyOf(req).temperature, 0.7);
  assert.ok(!('escalated' in r && r.escalated === true));
  if ('answer' in r) {
    assert.equal(r.normalizedAnswer, '42');
    assert.equal(r.confidence, 0.6);
    assert.equal(r.usage.inputTokens, 100);
  }
});

test('self-consistency weights votes by the log-probabilities the provider returns', async () => {
  script = () => reply('Final answer: 7');
  const start = fake.requests.length;
  const r = await selfConsistency({ model, question: 'What is 3 + 4?', samples: 3, minConfidence: 0 });
  const sent = fake.requests.slice(start);
  assert.ok(sent.every((req) => bodyOf(req).logprobs === true), 'weighted voting asks for logprobs');
  assert.ok('samples' in r && r.samples.every((s) => s.weightSource === 'logprobs'), 'weights come from the returned logprobs');
});

test('self-consistency below the confidence gate calls the escalation hook', async () => {
  const answers = ['Final answer: 1', 'Final answer: 2', 'Final answer: 3', 'Final answer: 4', 'Final answer: 1'];
  let i = 0;
  script = () => reply(answers[i++ % answers.length]!);
  let escalated = false;
  const r = await selfConsistency({ model, question: 'Pick a number', voting: 'majority', onEscalate: () => {
    escalated = true;
    return 'human review' as const;
  } });
  assert.equal(escalated, true);
  assert.equal(r, 'human review');
});

test('tree-of-thought runs a real search over HTTP: k proposals, scored, beam kept, stops on a solution', async () => {
  script = (req) => {
    const system = String((bodyOf(req).messages as { role: string; content: unknown }[])[0]?.content ?? '');
    if (system.startsWith('You explore')) return reply('1. try factoring\n2. guess and check\n3. use the quadratic formula');
    const candidate = lastUserText(req);
    if (candidate.includes('quadratic formula') && candidate.includes('try factoring')) return reply('Score: 10\nSOLUTION: x = 2 or x = 3');
    if (candidate.includes('quadratic formula')) return reply('Score: 8');
    if (candidate.includes('try factoring')) return reply('Score: 7');
    return reply('Score: 2');
  };
  const r = await treeOfThought({ model, problem: 'Solve x^2 - 5x + 6 = 0', thoughtsPerNode: 3, beamWidth: 2, maxDepth: 3 });
  assert.equal(r.stopReason, 'solution');
  assert.equal(r.solution?.solutionText, 'x = 2 or x = 3');
  assert.ok(r.tree.length >= 4, 'the explored tree is returned');
  assert.ok(r.tree.some((n) => n.depth === 2), 'it expanded beyond the first level');
});

test('generateObject over HTTP: native json_schema, broken JSON first, valid second, repaired', async () => {
  const replies = ['{"name": "Ada", "age": ', '{"name": "Ada", "age": 36}'];
  let i = 0;
  script = () => reply(replies[i++]!);
  const start = fake.requests.length;
  const r = await generateObject({ model, schema: z.object({ name: z.string(), age: z.number() }), prompt: 'Who wrote the first program?' });
  assert.deepEqual(r.object, { name: 'Ada', age: 36 });
  assert.equal(r.attempts.length, 2);
  const sent = fake.requests.slice(start);
  assert.equal((bodyOf(sent[0]!).response_format as { type: string }).type, 'json_schema');
  assert.match(JSON.stringify(bodyOf(sent[1]!).messages), /not valid JSON|JSON/);
});

test('generateObject over HTTP: a model that never complies ends in a typed error with every attempt', async () => {
  script = () => reply('I would rather not answer in JSON.');
  await assert.rejects(generateObject({ model, schema: z.object({ ok: z.boolean() }), prompt: 'Reply' }), (err: unknown) => {
    assert.ok(err instanceof StructuredOutputError);
    assert.equal(err.attempts.length, 3);
    return true;
  });
});

test('support cascade over HTTP: rules answer for free, the classifier and model tiers call the upstream, bad output is handed off', async () => {
  script = (req) => {
    const text = JSON.stringify(bodyOf(req).messages);
    if (text.includes('INTENT')) return reply(text.includes('refund') ? 'INTENT: BILLING\nCONFIDENCE: 0.9' : 'INTENT: OTHER\nCONFIDENCE: 0.8');
    if (text.includes('refund')) return reply('Refunds are processed within 5 business days.');
    return reply("I'm not sure, maybe try again?");
  };
  const handoffs: string[] = [];
  const cascade = new SupportCascade({
    rules: [{ id: 'hours', pattern: /opening hours/i, answer: 'We are open 9–17 CET.' }],
    classifier: modelClassifier({ model, intents: ['BILLING', 'OTHER'] }),
    model,
    onHandoff: (h) => {
      handoffs.push(h.reason);
      return 'A human will contact you.';
    },
  });
  const start = fake.requests.length;
  const byRule = await cascade.handle('What are your opening hours?');
  assert.equal(byRule.answeredBy, 'rules');
  assert.equal(byRule.costUsd, 0);
  assert.equal(fake.requests.length, start, 'the rules tier never reaches the upstream');

  const byModel = await cascade.handle('I want a refund for my last invoice');
  assert.equal(byModel.answeredBy, 'model');
  assert.equal(byModel.intent, 'BILLING');
  assert.match(byModel.answer, /5 business days/);

  const handedOff = await cascade.handle('Something odd happened');
  assert.equal(handedOff.answeredBy, 'handoff');
  assert.deepEqual(handoffs, ['validation_failed']);

  const stats = cascade.stats.snapshot();
  assert.equal(stats.queries, 3);
  assert.equal(stats.tiers.rules.answered, 1);
  assert.equal(stats.tiers.model.answered, 1);
  assert.equal(stats.tiers.handoff.answered, 1);
});
