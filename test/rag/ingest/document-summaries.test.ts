/**
 * Document summaries at ingestion: one `summary` chunk per document (extractive offline,
 * model-written with a model), change detection like any chunk (unchanged → no model call, no
 * embedding; changed → replaced; deleted with the document), and hierarchical retrieval finding a
 * document only identifiable from its overall topic through its summary.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import type { EmbeddingModel } from '../../../src/models/language-model.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { createRecursiveChunker } from '../../../src/rag/chunkers/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { deleteDocument, ingestDocuments, summaryChunkId } from '../../../src/rag/ingest/index.js';
import { createHybridRetriever, createKeywordRetriever, createVectorRetriever } from '../../../src/rag/retrieval/index.js';
import { createDefaultRagEngine } from '../../../src/rag/service/default-engine.js';
import { RagService } from '../../../src/rag/service/rag-service.js';
import { createHierarchicalRetriever, type HierarchyLevels } from '../../../src/rag/strategies/index.js';
import type { ChunkIndex, RagDocument } from '../../../src/rag/types.js';
import { fail, reply, ScriptedModel } from '../../support/scripted-model.js';
import { createHashingEmbedder } from './test-embedder.js';

const GUIDE: RagDocument = {
  id: 'guide.md',
  text: [
    '# Release guide',
    '',
    '## Preparing',
    '',
    'Every release starts from a green main branch. Tag the commit after the checks pass.',
    '',
    '## Publishing',
    '',
    'The package is published by the pipeline. Nobody publishes from a laptop.',
  ].join('\n'),
  metadata: { title: 'Release guide', format: 'markdown' },
};

async function openIndex(): Promise<ChunkIndex> {
  const store = createMemoryCollectionStore();
  await store.create('docs');
  return store.open('docs');
}

describe('document summaries', () => {
  const chunker = createRecursiveChunker({ maxTokens: 40 });

  test('extractive without a model: title, headings and first sentences, marked extractive', async () => {
    const index = await openIndex();
    const embedder = createHashingEmbedder();
    const summary = await ingestDocuments({ index, embedder, chunker, documents: [GUIDE], summaries: { model: createOfflineModel() } });
    const [chunk] = await index.getChunks([summaryChunkId(GUIDE.id)]);
    assert.ok(chunk, 'a summary chunk was written');
    assert.equal(chunk.kind, 'summary');
    assert.equal(chunk.documentId, GUIDE.id);
    assert.equal(chunk.metadata.summary, 'extractive');
    assert.equal(chunk.text.split('\n')[0], 'Release guide');
    assert.match(chunk.text, /Release guide > Preparing: Every release starts from a green main branch\./);
    assert.match(chunk.text, /Release guide > Publishing: The package is published by the pipeline\./);
    // First sentences only.
    assert.doesNotMatch(chunk.text, /Tag the commit|Nobody publishes/);
    assert.ok(embedder.embedded.includes(chunk.text), 'the summary is embedded like any chunk');
    assert.equal(summary.chunks, (await index.documentHashes(GUIDE.id)).size);
    // Leaf searches never return summaries; the summary level does.
    const probe = new Float32Array((await embedder.embed([chunk.text])).embeddings[0] ?? []);
    assert.ok((await index.vectorSearch({ embedding: probe, topK: 10 })).every((h) => h.chunk.kind !== 'summary'));
    assert.equal((await index.vectorSearch({ embedding: probe, topK: 10, kinds: ['summary'] }))[0]?.chunk.id, chunk.id);
  });

  test('the extractive summary is capped in tokens', async () => {
    const index = await openIndex();
    const long: RagDocument = {
      id: 'long.md',
      text: Array.from({ length: 40 }, (_, i) => `## Section ${i}\n\nSection number ${i} explains one more detail of the system at length.`).join('\n\n'),
      metadata: { format: 'markdown' },
    };
    await ingestDocuments({ index, embedder: createHashingEmbedder(), chunker, documents: [long], summaries: { maxTokens: 60 } });
    const [chunk] = await index.getChunks([summaryChunkId(long.id)]);
    assert.ok(chunk);
    assert.match(chunk.text, /^Section 0: Section number 0 explains/);
    assert.doesNotMatch(chunk.text, /Section 39/);
    assert.ok(chunk.text.split(/\s+/).length <= 60, chunk.text);
  });

  test('with a model: model-written; unchanged re-ingest neither calls the model nor re-embeds; a change replaces it; delete removes it', async () => {
    const index = await openIndex();
    const embedder = createHashingEmbedder();
    const model = new ScriptedModel({ script: [reply('A guide to cutting and publishing releases of the package.')] });
    const first = await ingestDocuments({ index, embedder, chunker, documents: [GUIDE], summaries: { model } });
    assert.equal(model.callCount, 1);
    const firstCall = model.calls[0];
    assert.ok(firstCall);
    assert.match(JSON.stringify(firstCall.request.messages), /Nobody publishes from a laptop/);
    let [chunk] = await index.getChunks([summaryChunkId(GUIDE.id)]);
    assert.ok(chunk);
    assert.equal(chunk.text, 'A guide to cutting and publishing releases of the package.');
    assert.equal(chunk.metadata.summary, 'model');
    assert.equal(chunk.metadata.summaryModel, 'scripted/scripted-model');
    assert.ok(first.embedded >= 3);

    // Unchanged: no model call, nothing embedded, nothing written.
    const embeddedBefore = embedder.embedded.length;
    const again = await ingestDocuments({ index, embedder, chunker, documents: [GUIDE], summaries: { model } });
    assert.equal(model.callCount, 1);
    assert.equal(embedder.embedded.length, embeddedBefore);
    assert.equal(again.skipped, 1);
    assert.equal(again.written, 0);

    // Changed: the model is asked again and the new summary replaces the old one (same id).
    model.enqueue(reply('A guide to releases, now with a rollback procedure.'));
    const changed = { ...GUIDE, text: `${GUIDE.text}\n\n## Rolling back\n\nA bad release is rolled back by re-tagging the previous commit.` };
    await ingestDocuments({ index, embedder, chunker, documents: [changed], summaries: { model } });
    assert.equal(model.callCount, 2);
    [chunk] = await index.getChunks([summaryChunkId(GUIDE.id)]);
    assert.equal(chunk?.text, 'A guide to releases, now with a rollback procedure.');
    assert.ok(embedder.embedded.includes('A guide to releases, now with a rollback procedure.'));
    const hashes = await index.documentHashes(GUIDE.id);
    assert.equal([...hashes.keys()].filter((id) => id.endsWith('#summary')).length, 1);

    // Deleted with its document.
    const removed = await deleteDocument(index, GUIDE.id);
    assert.equal(removed, hashes.size);
    assert.deepEqual(await index.getChunks([summaryChunkId(GUIDE.id)]), []);
    assert.deepEqual(await index.vectorSearch({ embedding: new Float32Array(64).fill(0.125), topK: 5, kinds: ['summary'] }), []);
  });

  test('a failing model falls back to an extractive summary, marked so, and is retried next time', async () => {
    const index = await openIndex();
    const embedder = createHashingEmbedder();
    const model = new ScriptedModel({ script: [fail('provider_error'), reply('Release how-to.')] });
    const summary = await ingestDocuments({ index, embedder, chunker, documents: [GUIDE], summaries: { model } });
    assert.equal(summary.updated, 1);
    let [chunk] = await index.getChunks([summaryChunkId(GUIDE.id)]);
    assert.equal(chunk?.metadata.summary, 'extractive');
    assert.match(chunk?.text ?? '', /^Release guide\n/);
    await ingestDocuments({ index, embedder, chunker, documents: [GUIDE], summaries: { model } });
    assert.equal(model.callCount, 2);
    [chunk] = await index.getChunks([summaryChunkId(GUIDE.id)]);
    assert.equal(chunk?.metadata.summary, 'model');
    assert.equal(chunk?.text, 'Release how-to.');
  });

  test('extractive summaries are re-embedded only when their text changes; turning them off removes them', async () => {
    const index = await openIndex();
    const embedder = createHashingEmbedder();
    await ingestDocuments({ index, embedder, chunker, documents: [GUIDE], summaries: true });
    const [summary] = await index.getChunks([summaryChunkId(GUIDE.id)]);
    assert.ok(summary);
    const before = embedder.embedded.length;
    // Only the document's metadata changes: rewritten, but no text (summary included) is re-embedded.
    await ingestDocuments({ index, embedder, chunker, documents: [{ ...GUIDE, metadata: { ...GUIDE.metadata, team: 'infra' } }], summaries: true });
    assert.equal(embedder.embedded.length, before);
    assert.equal((await index.getChunks([summaryChunkId(GUIDE.id)]))[0]?.metadata.team, 'infra');
    const off = await ingestDocuments({ index, embedder, chunker, documents: [GUIDE] });
    assert.equal(off.deleted, 1);
    assert.deepEqual(await index.getChunks([summaryChunkId(GUIDE.id)]), []);
  });
});

/**
 * Two documents whose "Watering" sections read alike; only the title says which plant each is
 * about. The question's words match the tortoise document's chunk better, so flat retrieval
 * answers from the wrong document; its summary (title first) routes hierarchical retrieval right.
 */
const TOMATOES: RagDocument = {
  id: 'tomatoes.md',
  text: [
    '# Growing tomatoes in the vegetable garden',
    '',
    '## Planting',
    '',
    'Set the seedlings deep in rich, well-drained beds once frost has passed. Stake each one.',
    '',
    '## Watering',
    '',
    'Give the beds a deep soak twice a week in hot months, at the roots rather than the leaves.',
    '',
    '## Harvest',
    '',
    'Pick the fruit when it is fully red and slightly soft. Ripe fruit keeps a week indoors.',
  ].join('\n'),
  metadata: { title: 'Growing tomatoes in the vegetable garden', format: 'markdown' },
};

const TORTOISE: RagDocument = {
  id: 'tortoise.md',
  text: [
    '# Keeping a pet tortoise',
    '',
    '## Housing',
    '',
    'A tortoise needs a warm, dry enclosure with a basking lamp and a hide.',
    '',
    '## Watering',
    '',
    'How often should you water? Offer fresh water every day in summer, in a shallow dish it can climb into.',
    '',
    '## Health',
    '',
    'A vet should check the shell and weight every spring after hibernation.',
  ].join('\n'),
  metadata: { title: 'Keeping a pet tortoise', format: 'markdown' },
};

describe('hierarchical retrieval through summaries (embedded embedding model)', () => {
  let embedder: EmbeddingModel;
  const question = 'How often should I water my tomato plants in summer?';
  const chunker = createRecursiveChunker({ maxTokens: 40 });

  before(async () => {
    await loadDefaultEmbeddingModel();
    embedder = createDefaultEmbeddingModel();
  });

  const hybridOn = (index: ChunkIndex) => createHybridRetriever({ retrievers: [createKeywordRetriever({ index }), createVectorRetriever({ index, embedder })] });

  test('the summary picks the right document, then its section, where flat retrieval picks the wrong one', async () => {
    const index = await openIndex();
    await ingestDocuments({ index, embedder, chunker, documents: [TORTOISE, TOMATOES], summaries: true });
    // The control: without the summary level, the tortoise's watering chunk wins.
    const flat = await hybridOn(index).retrieve({ query: question, topK: 3 });
    assert.equal(flat[0]?.chunk.documentId, 'tortoise.md', 'the corpus must fool flat retrieval');

    let levels: HierarchyLevels | undefined;
    const hierarchical = createHierarchicalRetriever({ index, embedder, documents: 1, sections: 1, chunkRetriever: hybridOn(index), onLevels: (l) => (levels = l) });
    const hits = await hierarchical.retrieve({ query: question, topK: 3 });
    assert.deepEqual(levels?.documents, ['tomatoes.md']);
    assert.equal(hits[0]?.chunk.documentId, 'tomatoes.md');
    assert.match(hits[0]?.chunk.text ?? '', /deep soak twice a week/);
    assert.equal(hits[0]?.via, 'hierarchical');
    // Sections come from the chunks' heading metadata (recursive chunking has no parent chunks),
    // ranked by the similarity of the question to each heading path.
    assert.deepEqual(levels?.sections, ['tomatoes.md#section:Growing tomatoes in the vegetable garden > Watering']);
  });

  test('without summaries the same retriever can only fall back to flat search', async () => {
    const index = await openIndex();
    await ingestDocuments({ index, embedder, chunker, documents: [TORTOISE, TOMATOES] });
    const hierarchical = createHierarchicalRetriever({ index, embedder, documents: 1, chunkRetriever: hybridOn(index) });
    const hits = await hierarchical.retrieve({ query: question, topK: 3 });
    assert.equal(hits[0]?.via, 'hierarchical(flat)');
    assert.equal(hits[0]?.chunk.documentId, 'tortoise.md');
  });

  test('the service writes summaries by default, so its hierarchical strategy uses them', async () => {
    const service = new RagService({ store: createMemoryCollectionStore(), engine: createDefaultRagEngine({ embedder, model: createOfflineModel(), chunking: { maxTokens: 40 } }) });
    await service.createCollection('garden');
    const ingest = await service.ingest({ collection: 'garden', documents: [TORTOISE, TOMATOES] });
    assert.deepEqual(ingest.perDocument.map((d) => d.status), ['added', 'added']);
    const index = await service.store.open('garden');
    assert.equal((await index.getChunks(['tomatoes.md#summary']))[0]?.metadata.summary, 'extractive');
    const hits = await service.retrieve({ collection: 'garden', query: question, strategy: 'hierarchical', topK: 3 });
    assert.equal(hits[0]?.via, 'hierarchical');
    const answer = await service.query({ collection: 'garden', query: 'Explain how to water tomato plants', strategy: 'hierarchical' });
    assert.ok(answer.sources.some((s) => s.chunk.documentId === 'tomatoes.md'));
    await service.close();
  });
});
