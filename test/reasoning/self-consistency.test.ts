import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../src/core/errors.js';
import { answerSpanWeight, parseReportedConfidence, selfConsistency, type EscalatedResult, type SelfConsistencyResult } from '../../src/reasoning/self-consistency.js';
import { ScriptedModel, fail, reply } from '../support/scripted-model.js';
import { FunctionModel, tokensOf } from './function-model.js';

function isResult(value: SelfConsistencyResult | EscalatedResult): value is SelfConsistencyResult {
  return !value.escalated;
}

describe('selfConsistency', () => {
  test('5 parallel samples at temperature 0.7; 3 of 5 agree → majority answer, confidence 0.6', async () => {
    const model = new ScriptedModel().enqueue(
      reply('Final answer: 42', { costUsd: 0.01 }),
      reply('Final answer: 41', { costUsd: 0.01 }),
      reply('Final answer: 42', { costUsd: 0.01 }),
      reply('Final answer: 40', { costUsd: 0.01 }),
      reply('Final answer: 42.0', { costUsd: 0.01 }),
    );
    const out = await selfConsistency({ model, question: 'q', voting: 'majority' });
    assert.ok(isResult(out));
    assert.equal(out.answer, '42');
    assert.equal(out.confidence, 0.6);
    assert.deepEqual(out.votes[0], { answer: '42', normalizedAnswer: '42', count: 3, weight: 3 });
    assert.equal(out.votes.length, 3);
    assert.equal(model.callCount, 5);
    assert.equal(model.maxInFlight, 5, 'samples run in parallel');
    assert.ok(model.calls.every((c) => c.request.temperature === 0.7));
    assert.equal(out.calls, 5);
    assert.ok(Math.abs(out.costUsd - 0.05) < 1e-12);
    assert.equal(out.usage.inputTokens, 50);
  });

  test('numeric normalisation puts "$1,104.94", "1104.94" and "1,104.940 USD" in one bucket', async () => {
    const model = new ScriptedModel().enqueue(
      reply('Final answer: $1,104.94'),
      reply('Final answer: 1104.94'),
      reply('Final answer: 1,104.940 USD'),
      reply('Final answer: $1,100.00'),
      reply('Final answer: 1105'),
    );
    const out = await selfConsistency({ model, question: 'compound interest', voting: 'majority' });
    assert.ok(isResult(out));
    assert.equal(out.normalizedAnswer, '1104.94');
    assert.equal(out.answer, '$1,104.94');
    assert.equal(out.votes[0]!.count, 3);
  });

  test('logprob weights beat a raw majority when they say so', async () => {
    // Three unsure "B" samples (token p ≈ 0.14) against two confident "A" samples (p ≈ 0.95).
    const texts = ['Final answer: B', 'Final answer: A', 'Final answer: B', 'Final answer: A', 'Final answer: B'];
    const model = new FunctionModel((_req, i) => {
      const text = texts[i]!;
      return { text, logprobs: tokensOf(text, text.endsWith('A') ? -0.05 : -2) };
    });
    const weighted = await selfConsistency({ model, question: 'q', minConfidence: 0 });
    assert.ok(isResult(weighted));
    assert.equal(weighted.answer, 'A');
    assert.ok(weighted.samples.every((s) => s.weightSource === 'logprobs'));
    assert.ok(weighted.confidence > 0.75, `confidence ${weighted.confidence}`);
    assert.equal(model.requests[0]!.logprobs, true, 'weighted voting asks for logprobs');

    const majorityModel = new FunctionModel((_req, i) => ({ text: texts[i]!, logprobs: tokensOf(texts[i]!, texts[i]!.endsWith('A') ? -0.05 : -2) }));
    const majority = await selfConsistency({ model: majorityModel, question: 'q', voting: 'majority', minConfidence: 0 });
    assert.ok(isResult(majority));
    assert.equal(majority.answer, 'B');
  });

  test('without logprobs, weights come from self-reported "Confidence:" lines', async () => {
    const model = new ScriptedModel().enqueue(
      reply('Final answer: cat\nConfidence: 0.2'),
      reply('Final answer: dog\nConfidence: 95%'),
      reply('Final answer: cat\nConfidence: 0.2'),
    );
    const out = await selfConsistency({ model, question: 'q', samples: 3, minConfidence: 0 });
    assert.ok(isResult(out));
    assert.equal(out.answer, 'dog');
    assert.deepEqual(out.samples.map((s) => s.weightSource), ['confidence', 'confidence', 'confidence']);
    assert.ok(Math.abs(out.confidence - 0.95 / 1.35) < 1e-9);
    assert.match(String(model.calls[0]!.request.messages[0]!.content), /Confidence:/);
  });

  test('below minConfidence the escalation hook is called and its value returned', async () => {
    const model = new ScriptedModel().enqueue(...['a', 'b', 'c', 'a', 'd'].map((x) => reply(`Final answer: ${x}`)));
    const seen: SelfConsistencyResult[] = [];
    const out = await selfConsistency({
      model,
      question: 'q',
      voting: 'majority',
      onEscalate: (result) => {
        seen.push(result);
        return 'queued for human review' as const;
      },
    });
    assert.equal(out, 'queued for human review');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.confidence, 0.4);
    assert.equal(seen[0]!.answer, 'a');
  });

  test('without a hook, a low-confidence result comes back as an EscalatedResult marker', async () => {
    const model = new ScriptedModel().enqueue(...['a', 'b', 'c', 'd', 'e'].map((x) => reply(`Final answer: ${x}`)));
    const out = await selfConsistency({ model, question: 'q', voting: 'majority' });
    assert.equal(out.escalated, true);
    assert.ok(!isResult(out));
    assert.equal(out.reason, 'low_confidence');
    assert.equal(out.result.confidence, 0.2);
  });

  test('failed samples are excluded and counted; all failing throws the first error', async () => {
    const model = new ScriptedModel().enqueue(
      reply('Final answer: 7'),
      fail('rate_limited'),
      reply('Final answer: 7'),
      fail('provider_error'),
      reply('Final answer: 8'),
    );
    const out = await selfConsistency({ model, question: 'q', voting: 'majority' });
    assert.ok(isResult(out));
    assert.equal(out.failedSamples, 2);
    assert.equal(out.answer, '7');
    assert.ok(Math.abs(out.confidence - 2 / 3) < 1e-9);
    assert.equal(out.calls, 3);

    const broken = new ScriptedModel().enqueue(fail('timeout', { message: 'first' }), fail('rate_limited', { message: 'second' }));
    await assert.rejects(selfConsistency({ model: broken, question: 'q', samples: 2 }), (e: unknown) => e instanceof ConduitError && e.message === 'first');
  });
});

describe('weight parsing', () => {
  test('reported confidence forms', () => {
    assert.equal(parseReportedConfidence('Confidence: 0.8'), 0.8);
    assert.equal(parseReportedConfidence('confidence = 80%'), 0.8);
    assert.equal(parseReportedConfidence('Confidence: 8/10'), 0.8);
    assert.equal(parseReportedConfidence('Confidence: 90'), 0.9);
    assert.equal(parseReportedConfidence('no number here'), undefined);
  });

  test('answer-span weight uses only the answer tokens when the tokens spell the text', () => {
    const logprobs = [
      { token: 'Reasoning', logprob: -5 },
      { token: ' Final', logprob: -5 },
      { token: ' answer:', logprob: -5 },
      { token: ' 42', logprob: Math.log(0.9) },
    ];
    assert.ok(Math.abs(answerSpanWeight('Reasoning Final answer: 42', '42', logprobs) - 0.9) < 1e-9);
    // Tokens that do not spell the text: mean over all tokens.
    assert.ok(Math.abs(answerSpanWeight('different text 42', '42', logprobs) - Math.exp((-15 + Math.log(0.9)) / 4)) < 1e-9);
  });
});
