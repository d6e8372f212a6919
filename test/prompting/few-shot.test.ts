import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EmbeddingModel } from '../../src/models/language-model.js';
import { createFewShotSelector, fewShotMessages, fewShotText, type FewShotExample } from '../../src/prompting/few-shot.js';
import { tokenizerFor } from '../../src/models/tokenizer/tokenizer.js';

const examples: FewShotExample[] = [
  { id: 'pw-1', input: 'I forgot my password and cannot sign in.', output: 'ACCOUNT_ACCESS: send the password reset link.' },
  { id: 'refund', input: 'I was charged twice this month, please refund me.', output: 'BILLING: refund the duplicate charge.' },
  { id: 'pw-2', input: 'How do I reset my password?', output: 'ACCOUNT_ACCESS: explain the reset flow.' },
  { id: 'dark', input: 'Could you add a dark mode to the dashboard?', output: 'FEATURE_REQUEST: log it.' },
  { id: 'outage', input: 'The API returns 503 errors for every request.', output: 'OUTAGE: page on-call.' },
  { id: 'invoice', input: 'Where can I download last month\'s invoice?', output: 'BILLING: point to the invoices page.' },
  { id: 'pw-3', input: 'The password reset email never arrives in my inbox.', output: 'ACCOUNT_ACCESS: check spam, resend the reset email.' },
  { id: 'export', input: 'The CSV export button crashes the page.', output: 'BUG: file a bug with the browser version.' },
  { id: 'plan', input: 'What is the difference between the Team and Enterprise plans?', output: 'OTHER: link the pricing page.' },
  { id: 'sso', input: 'Can we set up single sign-on with Okta?', output: 'FEATURE_REQUEST: route to sales engineering.' },
];

describe('few-shot builder', () => {
  test('selects the 3 semantically nearest examples with the embedded model, most similar last', async () => {
    const selector = createFewShotSelector(examples);
    const selected = await selector.select('I can\'t remember my password, how do I change it?');
    assert.equal(selected.length, 3);
    assert.deepEqual(selected.map((e) => e.id).sort(), ['pw-1', 'pw-2', 'pw-3']);
    const sims = selected.map((e) => e.similarity ?? Number.NaN);
    assert.ok(sims[0]! <= sims[1]! && sims[1]! <= sims[2]!, `ascending similarity: ${sims.join(', ')}`);

    // Deterministic: the same input gives the same selection and order.
    assert.deepEqual((await selector.select('I can\'t remember my password, how do I change it?')).map((e) => e.id), selected.map((e) => e.id));
    // A different topic picks different examples.
    const billing = await selector.select('You billed my card two times, I want my money back', { k: 1 });
    assert.deepEqual(billing.map((e) => e.id), ['refund']);
  });

  test('respects a token budget by dropping the least similar first', async () => {
    const tokenizer = tokenizerFor('openai', 'gpt-4o');
    const selector = createFewShotSelector(examples, { tokenizer });
    const all = await selector.select('I can\'t remember my password, how do I change it?');
    const [least, middle, most] = all;
    const cost = (e: FewShotExample): number => tokenizer.count(e.input) + tokenizer.count(e.output) + 6;
    assert.equal(most!.tokens, cost(most!));
    // A budget that fits the two most similar but not all three.
    const budget = most!.tokens + middle!.tokens;
    const limited = await selector.select('I can\'t remember my password, how do I change it?', { tokenBudget: budget });
    assert.deepEqual(limited.map((e) => e.id), [middle!.id, most!.id]);
    assert.ok(least!.tokens > 0);
    assert.ok(limited.reduce((n, e) => n + e.tokens, 0) <= budget);
    assert.deepEqual(await selector.select('password', { tokenBudget: 5 }), []);
  });

  test('injected embedding model; library order option; embeds the library once', async () => {
    let calls = 0;
    // Vectors along one axis: similarity is the cosine of the angle, known exactly.
    const angle: Record<string, number> = { a: 0, b: 1.2, c: 0.3, d: 0.6, q: 0 };
    const model: EmbeddingModel = {
      provider: 'test',
      modelId: 'angles',
      dimensions: 2,
      async embed(inputs) {
        calls++;
        return { embeddings: inputs.map((s) => [Math.cos(angle[s] ?? 3), Math.sin(angle[s] ?? 3)]), usage: { inputTokens: 0 }, model: 'angles', provider: 'test' };
      },
    };
    const lib: FewShotExample[] = ['a', 'b', 'c', 'd'].map((s) => ({ id: s, input: s, output: s.toUpperCase() }));
    const selector = createFewShotSelector(lib, { embeddingModel: model, k: 2 });
    assert.deepEqual((await selector.select('q')).map((e) => e.id), ['c', 'a']);
    assert.deepEqual((await selector.select('q', { order: 'library', k: 3 })).map((e) => e.id), ['a', 'c', 'd']);
    assert.equal(calls, 3, 'one call for the library, one per query');
  });

  test('static examples and rendering', () => {
    const selector = createFewShotSelector(examples, { tokenizer: tokenizerFor('openai', 'gpt-4o') });
    const statics = selector.selectStatic();
    assert.deepEqual(statics.map((e) => e.id), ['pw-1', 'refund', 'pw-2']);
    assert.deepEqual(selector.selectStatic({ tokenBudget: statics[0]!.tokens }).map((e) => e.id), ['pw-1']);

    const pair = [{ input: 'Extract: John is 30', output: '{"name":"John"}' }, { input: 'Extract: Ann', output: '{"name":"Ann"}' }];
    assert.deepEqual(fewShotMessages(pair), [
      { role: 'user', content: 'Extract: John is 30' },
      { role: 'assistant', content: '{"name":"John"}' },
      { role: 'user', content: 'Extract: Ann' },
      { role: 'assistant', content: '{"name":"Ann"}' },
    ]);
    assert.equal(fewShotText(pair, { inputLabel: 'Q', outputLabel: 'A' }), 'Q: Extract: John is 30\nA: {"name":"John"}\n\nQ: Extract: Ann\nA: {"name":"Ann"}');
  });
});
