import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../core/errors.js';
import { tokenizerFor } from '../tokenizer/tokenizer.js';
import { cosineSimilarity } from './cosine-similarity.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from './default-embedding-model.js';

describe('default embedding model (Universal Sentence Encoder lite, packaged weights)', () => {
  test('loads without network, embeds a batch into 512-d vectors that capture meaning', async () => {
    const model = createDefaultEmbeddingModel();
    assert.equal(model.provider, 'embedded');
    assert.equal(model.modelId, 'use-lite');
    assert.equal(model.dimensions, 512);

    const started = performance.now();
    await loadDefaultEmbeddingModel();
    const loadedMs = performance.now() - started;

    const sentences = ['The cat is sleeping on the sofa.', 'A cat naps on the couch.', 'Interest rates rose by a quarter point today.'];
    const result = await model.embed(sentences);
    assert.equal(result.embeddings.length, 3);
    for (const vector of result.embeddings) {
      assert.equal(vector.length, 512);
      assert.ok(vector.every(Number.isFinite));
    }
    const [cat1, cat2, rates] = result.embeddings as [number[], number[], number[]];
    const paraphrase = cosineSimilarity(cat1, cat2);
    const unrelated = cosineSimilarity(cat1, rates);
    assert.ok(paraphrase > unrelated + 0.2, `paraphrase ${paraphrase} vs unrelated ${unrelated}`);
    assert.ok(paraphrase > cosineSimilarity(cat2, rates));

    assert.equal(result.provider, 'embedded');
    assert.equal(result.model, 'use-lite');
    assert.equal(result.costUsd, 0);
    const tokenizer = tokenizerFor('embedded', 'use-lite');
    assert.equal(result.usage.inputTokens, sentences.reduce((n, s) => n + tokenizer.count(s), 0));

    // Batched throughput, for the record (no threshold: the machine is shared).
    const batch = Array.from({ length: 64 }, (_, i) => `Sentence number ${i} says something fairly ordinary about the weather.`);
    const t0 = performance.now();
    const big = await model.embed(batch);
    const perSentenceMs = (performance.now() - t0) / batch.length;
    assert.equal(big.embeddings.length, 64);
    console.log(`use-lite: load ${loadedMs.toFixed(0)} ms, ${perSentenceMs.toFixed(1)} ms per sentence batched`);
  });

  test('is deterministic, keeps input order across batches and shares one loaded model', async () => {
    const a = createDefaultEmbeddingModel();
    const b = createDefaultEmbeddingModel();
    const inputs = Array.from({ length: 70 }, (_, i) => `item ${i}`); // more than one internal batch of 64
    const all = await a.embed(inputs);
    const last = await b.embed([inputs[69]!]);
    assert.equal(all.embeddings.length, 70);
    const sameAsAlone = cosineSimilarity(all.embeddings[69]!, last.embeddings[0]!);
    assert.ok(sameAsAlone > 0.9999, String(sameAsAlone));
  });

  test('empty strings and empty input lists are handled', async () => {
    const model = createDefaultEmbeddingModel();
    const result = await model.embed(['', 'hello']);
    assert.equal(result.embeddings.length, 2);
    assert.equal(result.embeddings[0]!.length, 512);
    const none = await model.embed([]);
    assert.deepEqual(none.embeddings, []);
    assert.equal(none.usage.inputTokens, 0);
  });

  test('an aborted signal cancels before any work', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(createDefaultEmbeddingModel().embed(['x'], { signal: controller.signal }), (err: unknown) => err instanceof ConduitError && err.kind === 'cancelled');
  });

  test("the WASM loader's process-wide error handlers are not left behind", () => {
    const sources = [...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')].map(String);
    assert.ok(!sources.some((s) => /ExitStatus|throw\s+reason/.test(s)), sources.join('\n---\n'));
  });
});
