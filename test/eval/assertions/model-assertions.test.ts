import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import type { LanguageModel } from '../../../src/models/language-model.js';
import { assertion, ctx, hashingEmbedder, out } from './fixtures.js';

let upstream: FakeOpenAI;
let grader: LanguageModel;

before(async () => {
  upstream = await startFakeOpenAI();
  grader = createOpenAIModel({ modelId: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: upstream.url });
});
after(() => upstream.close());

const grade = (g: { pass: boolean; score: number; reason: string }) => ({ kind: 'reply' as const, text: JSON.stringify(g) });

describe('model-graded rubric', () => {
  test('passes on the grader’s pass, fails on its fail, and sends rubric and output', async () => {
    const a = assertion({ type: 'model-graded', rubric: 'The reply is polite and offers a refund.' });
    upstream.enqueue(grade({ pass: true, score: 0.9, reason: 'Polite, offers a refund.' }));
    const ok = await a.evaluate(out('So sorry! We will refund you today.'), ctx({ services: { grader } }));
    assert.deepEqual(ok, { pass: true, score: 0.9, reason: 'grader: Polite, offers a refund. (score 0.90)' });
    const body = upstream.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    assert.match(user, /The reply is polite and offers a refund\./);
    assert.match(user, /So sorry! We will refund you today\./);

    upstream.enqueue(grade({ pass: false, score: 0.2, reason: 'Rude.' }));
    const bad = await a.evaluate(out('Go away.'), ctx({ services: { grader } }));
    assert.equal(bad.pass, false);
    assert.equal(bad.score, 0.2);
    assert.match(bad.reason, /Rude\..*judged fail/);
  });

  test('a pass below the threshold fails; no grader fails with the fix', async () => {
    const a = assertion({ type: 'llm-rubric', rubric: 'Mentions the order number.', threshold: 0.8 });
    upstream.enqueue(grade({ pass: true, score: 0.6, reason: 'Partly.' }));
    assert.equal((await a.evaluate(out('Your order…'), ctx({ services: { grader } }))).pass, false);
    const none = await a.evaluate(out('x'), ctx());
    assert.equal(none.pass, false);
    assert.match(none.reason, /no grader model/);
  });
});

describe('semantic similarity', () => {
  test('hashing embedder: shared words pass the threshold, unrelated text fails', async () => {
    const embeddings = () => Promise.resolve(hashingEmbedder());
    const a = assertion({ type: 'similar', threshold: 0.7 });
    const near = await a.evaluate(out('the refund takes five business days'), ctx({ reference: 'the refund takes five days', services: { embeddings } }));
    assert.equal(near.pass, true, near.reason);
    const far = await a.evaluate(out('our office opens at nine'), ctx({ reference: 'the refund takes five days', services: { embeddings } }));
    assert.equal(far.pass, false);
    assert.match(far.reason, /below 0\.7/);
    const noRef = await a.evaluate(out('x'), ctx({ services: { embeddings } }));
    assert.match(noRef.reason, /no reference/);
  });

  test('embedded model (USE lite): a paraphrase passes, an unrelated answer fails', async () => {
    await loadDefaultEmbeddingModel();
    const model = createDefaultEmbeddingModel();
    const embeddings = () => Promise.resolve(model);
    const a = assertion({ type: 'similar', value: 'You can get your money back within 30 days of purchase.', threshold: 0.6 });
    const para = await a.evaluate(out('Refunds are available for 30 days after you buy.'), ctx({ services: { embeddings } }));
    assert.equal(para.pass, true, para.reason);
    const other = await a.evaluate(out('The weather in Lisbon is sunny today.'), ctx({ services: { embeddings } }));
    assert.equal(other.pass, false, other.reason);
  });
});

describe('faithfulness', () => {
  const context = ['Refunds are issued within 14 days of the return being received.', 'Returns must be made within 30 days of delivery.'];

  test('lexical: grounded sentences pass, an invented claim fails', async () => {
    const a = assertion({ type: 'faithfulness', method: 'lexical', threshold: 1 });
    const grounded = await a.evaluate(out('Refunds are issued within 14 days of receiving the return. Returns must be made within 30 days.'), ctx({ retrievedContext: context }));
    assert.equal(grounded.pass, true, grounded.reason);
    const invented = await a.evaluate(out('Refunds are issued within 14 days. Customers also receive a free gift voucher worth fifty euros.'), ctx({ retrievedContext: context }));
    assert.equal(invented.pass, false);
    assert.equal(invented.score, 0.5);
    assert.match(invented.reason, /1\/2 sentences supported \(lexical\).*gift voucher/);
  });

  test('embedding fallback is chosen without a grader; needs context', async () => {
    const embeddings = () => Promise.resolve(hashingEmbedder());
    const a = assertion({ type: 'faithfulness', threshold: 1, support_threshold: 0.6 });
    const r = await a.evaluate(out('Refunds are issued within 14 days of the return being received.'), ctx({ retrievedContext: context, services: { embeddings } }));
    assert.equal(r.pass, true, r.reason);
    assert.match(r.reason, /\(embedding\)/);
    const bad = await a.evaluate(out('Shipping to Mars costs nothing at all.'), ctx({ retrievedContext: context, services: { embeddings } }));
    assert.equal(bad.pass, false);
    assert.match((await a.evaluate(out('x y z'), ctx())).reason, /no retrieved context/);
  });

  test('model-judged: the grader’s verdicts decide, and it sees the context and numbered sentences', async () => {
    const a = assertion({ type: 'faithfulness', threshold: 0.75 });
    const answer = 'Refunds take 14 days. Returns are accepted for 30 days. You also get a voucher.';
    upstream.enqueue({ kind: 'reply', text: JSON.stringify({ verdicts: [{ index: 1, supported: true }, { index: 2, supported: true }, { index: 3, supported: false }] }) });
    const r = await a.evaluate(out(answer), ctx({ retrievedContext: context, services: { grader } }));
    assert.equal(r.pass, false);
    assert.ok(Math.abs(r.score - 2 / 3) < 1e-9);
    assert.match(r.reason, /2\/3 sentences supported \(model\)/);
    const body = upstream.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    assert.match(user, /\[1\] Refunds are issued within 14 days/);
    assert.match(user, /3\. You also get a voucher\./);

    upstream.enqueue({ kind: 'reply', text: JSON.stringify({ verdicts: [{ index: 1, supported: true }, { index: 2, supported: true }, { index: 3, supported: true }] }) });
    assert.equal((await a.evaluate(out(answer), ctx({ retrievedContext: context, services: { grader } }))).pass, true);
  });
});
