import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../core/errors.js';
import { deterministicEmbedding, startFakeOpenAI, type FakeOpenAI } from '../../../../test/fake-upstream/openai-upstream.js';
import { createOpenAIEmbeddingModel, parseEmbeddingResponse } from './embedding-model.js';
import { listOpenAIModels, parseModelList } from './list-models.js';

describe('createOpenAIEmbeddingModel', () => {
  let upstream: FakeOpenAI;
  before(async () => {
    upstream = await startFakeOpenAI();
  });
  after(() => upstream.close());

  test('embeds in batches, in input order, summing usage', async () => {
    const model = createOpenAIEmbeddingModel({ modelId: 'text-embedding-3-small', baseURL: upstream.url, apiKey: 'sk-e', dimensions: 8, maxBatchSize: 2 });
    assert.equal(model.dimensions, 8);
    assert.equal(model.provider, 'openai');
    const before = upstream.requests.length;
    const inputs = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const r = await model.embed(inputs);
    const sent = upstream.requests.slice(before);
    assert.equal(sent.length, 3, 'five inputs in batches of two');
    assert.deepEqual(sent.map((s) => (s.body as { input: string[] }).input), [['alpha', 'beta'], ['gamma', 'delta'], ['epsilon']]);
    assert.equal((sent[0]!.body as { dimensions: number }).dimensions, 8);
    assert.equal((sent[0]!.body as { encoding_format: string }).encoding_format, 'float');
    assert.equal(sent[0]!.headers.authorization, 'Bearer sk-e');
    assert.equal(sent[0]!.path, '/v1/embeddings');
    assert.equal(r.embeddings.length, 5);
    for (const [i, text] of inputs.entries()) assert.deepEqual(r.embeddings[i], deterministicEmbedding(text, 8));
    assert.equal(r.usage.inputTokens, inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0));
    assert.equal(r.model, 'text-embedding-3-small');
  });

  test('known models report their native size; dimensions is only sent when asked', async () => {
    const model = createOpenAIEmbeddingModel({ modelId: 'text-embedding-3-large', baseURL: upstream.url });
    assert.equal(model.dimensions, 3072);
    await model.embed(['x']);
    assert.equal('dimensions' in (upstream.requests.at(-1)!.body as object), false);
    assert.equal(createOpenAIEmbeddingModel({ modelId: 'nomic-embed-text', baseURL: upstream.url }).dimensions, undefined);
  });

  test('errors map like chat errors', async () => {
    const model = createOpenAIEmbeddingModel({ modelId: 'text-embedding-3-small', baseURL: upstream.url });
    upstream.enqueue({ kind: 'error', status: 429, message: 'slow down', retryAfterSeconds: 1 });
    await assert.rejects(model.embed(['x']), (err: unknown) => err instanceof ConduitError && err.kind === 'rate_limited' && err.retryAfterMs === 1000);
  });

  test('parseEmbeddingResponse orders by index, decodes base64 and rejects gaps', () => {
    const b64 = Buffer.from(Float32Array.from([0.5, -0.25]).buffer).toString('base64');
    const parsed = parseEmbeddingResponse({ data: [{ index: 1, embedding: [1, 2] }, { index: 0, embedding: b64 }], usage: { prompt_tokens: 4 }, model: 'm' }, 2, 'p', 'm');
    assert.deepEqual(parsed.vectors, [[0.5, -0.25], [1, 2]]);
    assert.equal(parsed.tokens, 4);
    assert.throws(() => parseEmbeddingResponse({ data: [{ index: 0, embedding: [1] }] }, 2, 'p', 'm'), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
    assert.throws(() => parseEmbeddingResponse({ nope: true }, 1, 'p', 'm'), ConduitError);
  });
});

describe('listOpenAIModels', () => {
  test('lists the models of the endpoint', async () => {
    const upstream = await startFakeOpenAI({ models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    try {
      const models = await listOpenAIModels({ baseURL: upstream.url, apiKey: 'sk-l', provider: 'openai' });
      assert.deepEqual(models, [
        { id: 'gpt-4o-mini', provider: 'openai', kind: 'model', ownedBy: 'system' },
        { id: 'text-embedding-3-small', provider: 'openai', kind: 'embedding', ownedBy: 'system' },
      ]);
      assert.equal(upstream.requests.at(-1)!.headers.authorization, 'Bearer sk-l');
      assert.equal(upstream.requests.at(-1)!.method, 'GET');
    } finally {
      await upstream.close();
    }
  });

  test('an unreachable endpoint rejects with provider_unavailable', async () => {
    const upstream = await startFakeOpenAI();
    const url = upstream.url;
    await upstream.close();
    await assert.rejects(listOpenAIModels({ baseURL: url, options: { attemptTimeoutMs: 2000 } }), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable');
  });

  test('parseModelList rejects a body without data', () => {
    assert.throws(() => parseModelList({ models: [] }, 'ollama'), ConduitError);
    assert.deepEqual(parseModelList({ data: [{ id: 'llama3.2' }, { nope: 1 }] }, 'ollama'), [{ id: 'llama3.2', provider: 'ollama', kind: 'model' }]);
  });
});
