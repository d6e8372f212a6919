import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { createRagPipeline, RAG_STRATEGIES, ragQuery } from '../../../src/rag/strategies/index.js';
import type { ChunkIndex, IndexedChunk } from '../../../src/rag/types.js';
import { embedTexts } from '../../../src/rag/retrieval/index.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';
import { HashingEmbedder, indexedChunk, leaf } from '../retrieval/index-double.js';

const corpusText: [string, string][] = [
  ['fs#0', 'fs.readFile() asynchronously reads the entire contents of a file. If no encoding is specified, the raw buffer is returned.'],
  ['fs#1', 'fs.writeFile() asynchronously writes data to a file, replacing the file if it already exists.'],
  ['http#0', 'http.createServer() returns a new instance of http.Server. The requestListener is added to the request event.'],
  ['events#0', 'All objects that emit events are instances of the EventEmitter class. Listeners are called synchronously in registration order.'],
  ['os#0', 'os.cpus() returns an array of objects containing information about each logical CPU core.'],
  ['timers#0', 'setTimeout() schedules execution of a one-time callback after delay milliseconds.'],
];
const QUESTION = 'What does fs.readFile return when no encoding is specified?';

async function openIndex(chunks: IndexedChunk[]): Promise<ChunkIndex> {
  const store = createMemoryCollectionStore();
  await store.create('docs');
  const index = await store.open('docs');
  await index.upsert(chunks);
  return index;
}

const hashedCorpus = () =>
  corpusText.map(([id, text]) => {
    const [doc, n] = id.split('#');
    return leaf(doc!, Number(n), text, { metadata: { documentId: doc!, source: `${doc}.md` } });
  });

describe('createRagPipeline (offline, embedded memory index)', () => {
  let index: ChunkIndex;
  before(async () => {
    index = await openIndex(hashedCorpus());
  });

  test('every strategy runs without a model and cites the chunk holding the answer', async () => {
    const pipeline = createRagPipeline({ index, embedder: new HashingEmbedder(), topK: 3 });
    for (const strategy of RAG_STRATEGIES) {
      const answer = await pipeline.query({ query: QUESTION, strategy });
      assert.equal(answer.mode, 'extracted', strategy);
      assert.equal(answer.insufficientContext, false, strategy);
      assert.ok(answer.citations.some((c) => c.chunkId === 'fs#0'), `${strategy}: ${JSON.stringify(answer.citations)}`);
      assert.match(answer.answer, /^Extracted from the documents \(no model configured\):\n- "If no encoding is specified, the raw buffer is returned\."/, strategy);
      assert.equal(answer.strategy, strategy === 'adaptive' ? 'adaptive:hybrid' : strategy);
    }
  });

  test('the offline provider counts as no model', async () => {
    const answer = await ragQuery({ index, embedder: new HashingEmbedder(), model: createOfflineModel(), query: QUESTION, strategy: 'multi-query' });
    assert.equal(answer.mode, 'extracted');
    assert.deepEqual(answer.trace.queries, [QUESTION]);
  });

  test('bad input is a typed 400', async () => {
    const pipeline = createRagPipeline({ index, embedder: new HashingEmbedder() });
    await assert.rejects(pipeline.query({ query: QUESTION, strategy: 'telepathy' }), (e: unknown) => e instanceof ConduitError && e.kind === 'invalid_request' && e.code === 'unknown_strategy');
    await assert.rejects(pipeline.query({ query: '' }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_query');
    await assert.rejects(pipeline.query({ query: 'x', topK: -1 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_top_k');
    assert.throws(() => createRagPipeline({ index, embedder: new HashingEmbedder(), strategy: 'nope' as 'hybrid' }), /Unknown RAG strategy/);
  });

  test('retrieve() gives the ranked chunks for evaluation', async () => {
    const pipeline = createRagPipeline({ index, embedder: new HashingEmbedder() });
    const result = await pipeline.retrieve({ query: 'os.cpus', strategy: 'keyword', topK: 2 });
    assert.equal(result.chunks[0]!.chunk.id, 'os#0');
    assert.equal(result.trace.strategy, 'keyword');
  });

  test('a filter narrows every strategy', async () => {
    const answer = await createRagPipeline({ index, embedder: new HashingEmbedder() }).query({ query: 'asynchronously file', filter: { documentId: 'fs' }, strategy: 'hybrid' });
    assert.ok(answer.sources.every((s) => s.chunk.documentId === 'fs'));
  });
});

describe('createRagPipeline with a model', () => {
  let index: ChunkIndex;
  before(async () => {
    index = await openIndex(hashedCorpus());
  });

  test('hybrid: generated answer, citations mapped to chunk ids, usage summed', async () => {
    const model = new ScriptedModel({ script: [reply('It returns the raw buffer [1].', { usage: { inputTokens: 200, outputTokens: 8 } })] });
    const answer = await createRagPipeline({ index, embedder: new HashingEmbedder(), model }).query({ query: QUESTION });
    assert.equal(answer.mode, 'generated');
    assert.equal(answer.sources[0]!.chunk.id, 'fs#0');
    assert.deepEqual(answer.citations, [{ number: 1, chunkId: 'fs#0', documentId: 'fs' }]);
    assert.equal(answer.usage.inputTokens, 200);
    assert.ok((answer.usage.embeddingTokens ?? 0) > 0);
  });

  test('a follow-up is rewritten from the history before retrieval', async () => {
    const model = new ScriptedModel({ script: [reply(JSON.stringify({ standalone: 'What does os.cpus() return?' })), reply('An array with one object per logical core [1].')] });
    const answer = await createRagPipeline({ index, embedder: new HashingEmbedder(), model }).query({
      query: 'and what does it return?',
      history: [{ role: 'user', content: 'How do I list the CPU cores with os.cpus()?' }],
    });
    assert.equal(answer.trace.question, 'What does os.cpus() return?');
    assert.equal(answer.trace.rewrite?.method, 'model');
    assert.equal(answer.citations[0]!.chunkId, 'os#0');
  });

  test('corrective: everything graded low, rewrite retried, then an explicit "documents do not say"', async () => {
    const lowGrades = reply(JSON.stringify({ grades: [1, 2, 3].map((passage) => ({ passage, score: 0.2 })) }));
    const model = new ScriptedModel({ script: [lowGrades, reply(JSON.stringify({ query: 'tls cipher suites' })), lowGrades] });
    const answer = await createRagPipeline({ index, embedder: new HashingEmbedder(), model, topK: 3 }).query({ query: 'Which TLS cipher suites are the file readers using?', strategy: 'corrective' });
    assert.equal(answer.trace.nothingRelevant, true);
    assert.equal(answer.trace.rewrittenQuery, 'tls cipher suites');
    assert.equal(answer.insufficientContext, true);
    assert.match(answer.answer, /^The documents do not say/);
    assert.equal(model.callCount, 3);
  });

  test('adaptive learns from recorded feedback', async () => {
    const pipeline = createRagPipeline({ index, embedder: new HashingEmbedder(), strategy: 'adaptive' });
    const first = await pipeline.query({ query: 'how can I read a whole file' });
    assert.equal(first.trace.selection?.strategy, 'hybrid');
    assert.equal(first.trace.selection?.source, 'rule');
    for (const q of ['how do I write a file', 'how do I schedule a callback', 'how do I list cpu cores']) {
      await pipeline.recordFeedback({ query: q, strategy: 'adaptive:keyword', score: 1 });
    }
    const learned = await pipeline.query({ query: 'how can I read a whole file' });
    assert.equal(learned.trace.selection?.strategy, 'keyword');
    assert.equal(learned.trace.selection?.source, 'feedback');
    assert.equal(learned.strategy, 'adaptive:keyword');
    assert.equal((await pipeline.feedback.entries()).length, 3);
  });
});

describe('ragQuery with the embedded embedding model', () => {
  const embedder = createDefaultEmbeddingModel();
  before(async () => loadDefaultEmbeddingModel());

  test('answers offline and extractively from the right chunk', async () => {
    const texts = corpusText.map(([, text]) => text);
    const vectors = await embedTexts(embedder, texts);
    const index = await openIndex(
      corpusText.map(([id, text], i) => indexedChunk({ id, documentId: id.split('#')[0]!, index: 0, text, metadata: {} }, vectors[i])),
    );
    const answer = await ragQuery({ index, embedder, query: 'how many processor cores does my machine have?', strategy: 'hybrid', topK: 3 });
    assert.equal(answer.mode, 'extracted');
    assert.equal(answer.citations[0]!.chunkId, 'os#0');
  });
});
