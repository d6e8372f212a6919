import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chainOfThought, extractFinalAnswer, FINAL_ANSWER_MARKER } from '../../src/reasoning/chain-of-thought.js';
import { normalizeAnswer, numericValue } from '../../src/reasoning/answer-normalisation.js';
import { ScriptedModel, reply } from '../support/scripted-model.js';

describe('extractFinalAnswer', () => {
  test('takes the last "Final answer:" marker and keeps the reasoning before it', () => {
    const text = '1. Monthly rate 0.05/12.\n2. Final answer: is not known yet, keep going\n3. 1000 × (1+0.05/12)^24 = 1104.94\nFinal answer: $1,104.94';
    const out = extractFinalAnswer(text);
    assert.equal(out.method, 'marker');
    assert.equal(out.answer, '$1,104.94');
    assert.equal(out.normalizedAnswer, '1104.94');
    assert.match(out.reasoning, /^1\. Monthly rate/);
    assert.doesNotMatch(out.reasoning, /\$1,104\.94/);
  });

  test('markdown bold marker, answer on the next line, trailing confidence and dot removed', () => {
    assert.equal(extractFinalAnswer('Steps…\n**Final Answer:**\n**Paris**.').answer, 'Paris');
    assert.equal(extractFinalAnswer('Final answer: 42 (confidence 0.9)').answer, '42');
    assert.equal(extractFinalAnswer('reasoning\nFINAL ANSWER - "blue"').answer, 'blue');
  });

  test('falls back to \\boxed{}, weak markers, then the last line', () => {
    const boxed = extractFinalAnswer('so x = \\boxed{17} clearly');
    assert.deepEqual([boxed.method, boxed.answer], ['boxed', '17']);
    const weak = extractFinalAnswer('Thinking…\nThe answer is 12.5.');
    assert.deepEqual([weak.method, weak.answer], ['weak-marker', '12.5']);
    const last = extractFinalAnswer('step one\nstep two\n  Tokyo  \nConfidence: 0.7\n');
    assert.deepEqual([last.method, last.answer], ['last-line', 'Tokyo']);
    assert.equal(extractFinalAnswer('   \n ').method, 'empty');
  });
});

describe('normalizeAnswer', () => {
  test('numeric forms, currency, case and punctuation collapse to one key', () => {
    for (const form of ['1,104.94', '$1104.94', '$1,104.940', '**$1,104.94**.', '1104.94 USD', 'USD 1,104.94']) {
      assert.equal(normalizeAnswer(form), '1104.94', form);
    }
    assert.equal(normalizeAnswer(' "Paris." '), 'paris');
    assert.equal(normalizeAnswer('New   York!'), 'new york');
    assert.notEqual(normalizeAnswer('5%'), normalizeAnswer('0.05'));
    assert.equal(numericValue('$1,104.94'), 1104.94);
    assert.equal(numericValue('Paris'), undefined);
  });
});

describe('chainOfThought', () => {
  test('prompts for steps and the marker, extracts the answer, reports usage and cost', async () => {
    const model = new ScriptedModel().enqueue(reply('1. 6 × 7 = 42\nFinal answer: 42', { costUsd: 0.002, usage: { inputTokens: 30, outputTokens: 12 } }));
    const out = await chainOfThought({ model, question: 'What is 6 × 7?', answerFormat: 'a whole number', instructions: 'Be brief.' });
    assert.equal(out.answer, '42');
    assert.equal(out.reasoning, '1. 6 × 7 = 42');
    assert.equal(out.raw, '1. 6 × 7 = 42\nFinal answer: 42');
    assert.equal(out.costUsd, 0.002);
    assert.equal(out.usage.inputTokens, 30);
    assert.equal(out.calls, 1);
    const system = model.calls[0]!.request.messages[0]!;
    assert.equal(system.role, 'system');
    assert.match(String(system.content), new RegExp(FINAL_ANSWER_MARKER));
    assert.match(String(system.content), /a whole number/);
    assert.match(String(system.content), /Be brief\./);
    assert.equal(model.calls[0]!.request.messages[1]!.content, 'What is 6 × 7?');
  });
});
