/** End to end on the embedded default embedding model: files → loaders → chunker → embeddings → index → search. */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createChunker, createSemanticChunker } from '../../../src/rag/chunkers/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { formatIngestSummary, ingestDocuments, unitVector } from '../../../src/rag/ingest/index.js';
import { loadDirectory } from '../../../src/rag/loaders/index.js';
import type { ChunkIndex } from '../../../src/rag/types.js';

const CORPUS = new URL('../fixtures/ingest/corpus/', import.meta.url).pathname;
const embedder = createDefaultEmbeddingModel();

describe('ingestion with the default embedding model', () => {
  let index: ChunkIndex;
  before(async () => {
    await loadDefaultEmbeddingModel();
    const store = createMemoryCollectionStore();
    await store.create('corpus');
    index = await store.open('corpus');
  });

  async function topDocument(question: string): Promise<string | undefined> {
    const { embeddings } = await embedder.embed([question]);
    const hits = await index.vectorSearch({ embedding: unitVector(embeddings[0] ?? [], embedder), topK: 1 });
    return hits[0]?.chunk.documentId;
  }

  test('a directory is ingested, searchable, and re-ingesting it embeds nothing', async () => {
    const skipped: string[] = [];
    const documents = await loadDirectory(CORPUS, { onSkip: (path) => skipped.push(path), json: { textFields: ['question', 'answer'] }, csv: { textColumns: ['name', 'description'], idColumn: 'sku' } });
    assert.deepEqual(skipped, ['empty.txt']);
    const chunker = createChunker({ strategy: 'recursive', maxTokens: 128 });
    const first = await ingestDocuments({ index, embedder, chunker, documents });
    assert.equal(first.documents, 7);
    assert.equal(first.embedded, first.chunks);
    assert.ok(first.embeddingSeconds > 0 && first.embeddingSeconds <= first.seconds);
    assert.ok(first.embeddingTokens > 0);
    assert.deepEqual(await index.stats(), { documents: 7, chunks: first.chunks });
    assert.match(formatIngestSummary(first), /^Ingested 7 documents \(7 updated, 0 unchanged\)/);

    assert.equal(await topDocument('How do I reset my password?'), 'faq.jsonl:q1');
    assert.equal(await topDocument('a dam across an estuary with sluice gates and turbines'), 'article.html');
    assert.equal(await topDocument('Which kettle boils water quickly?'), 'products.csv:A-1');

    const again = await ingestDocuments({ index, embedder, chunker, documents: await loadDirectory(CORPUS, { onSkip: () => undefined, json: { textFields: ['question', 'answer'] }, csv: { textColumns: ['name', 'description'], idColumn: 'sku' } }) });
    assert.equal(again.embedded, 0);
    assert.equal(again.skipped, 7);
    assert.equal(again.written, 0);
  });

  test('semantic chunking on real embeddings splits at the change of topic', async () => {
    const cats = 'Cats sleep for most of the day. A cat purrs when it is content and relaxed. Kittens need more sleep than adult cats.';
    const rockets = 'The rocket lifted off from the launch pad at nine. Its second stage engine burned for six minutes. The spacecraft reached orbit around the Earth.';
    const document = { id: 'topics', text: `${cats} ${rockets}`, metadata: {} };
    // Universal Sentence Encoder lite rates related sentences around 0.4–0.7: 0.3 separates topics, not sentences.
    const chunks = await createSemanticChunker({ embedder, threshold: 0.3 }).chunk(document);
    assert.equal(chunks[0]?.text, cats);
    assert.ok(chunks.length >= 2);
    assert.ok(chunks.slice(1).every((c) => rockets.includes(c.text)));
    // The default 0.8 is strict for this model: every sentence stands alone.
    const strict = await createSemanticChunker({ embedder }).chunk(document);
    assert.equal(strict.length, 6);
  });
});
