/**
 * RagService on the real parts: the embedded embedding model, the in-memory collection store, the
 * default engine (recursive chunking, vector/keyword/hybrid retrieval, extractive answers offline).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/embedded/embedded-collection-store.js';
import { createDefaultRagEngine } from '../../../src/rag/service/default-engine.js';
import { RagService } from '../../../src/rag/service/rag-service.js';
import { CORPUS, QUESTIONS } from './corpus.js';

const isError = (code: string, status?: number) => (err: unknown) => err instanceof ConduitError && err.code === code && (status === undefined || err.status === status);

describe('RagService', () => {
  let service: RagService;
  before(async () => {
    await loadDefaultEmbeddingModel();
    const embedder = createDefaultEmbeddingModel();
    service = new RagService({ store: createMemoryCollectionStore(), engine: createDefaultRagEngine({ embedder, model: createOfflineModel() }) });
    await service.createCollection('docs', { description: 'test corpus' });
    const summary = await service.ingest({ collection: 'docs', documents: CORPUS });
    assert.equal(summary.documents, 5);
    assert.ok(summary.chunks >= 5);
    assert.equal(summary.embedded, summary.chunks);
    assert.deepEqual(summary.perDocument.map((d) => d.status), ['added', 'added', 'added', 'added', 'added']);
  });
  after(() => service.close());

  test('collections: created once, listed with counts; bad or taken names are refused', async () => {
    const list = await service.listCollections();
    const docs = list.find((c) => c.name === 'docs');
    assert.equal(docs?.documents, 5);
    assert.equal(docs?.description, 'test corpus');
    await assert.rejects(service.createCollection('docs'), isError('collection_exists', 409));
    await assert.rejects(service.createCollection('no spaces/allowed'), isError('invalid_collection_name', 400));
    assert.equal((await service.listCollections()).length, list.length);
  });

  test('every strategy ranks the answering document first for questions phrased unlike the text', async () => {
    for (const strategy of ['hybrid', 'vector', 'keyword']) {
      for (const q of QUESTIONS) {
        const hits = await service.retrieve({ collection: 'docs', query: q.question, strategy, topK: 3 });
        assert.equal(hits[0]?.chunk.documentId, q.documentId, `${strategy}: ${q.question} → ${hits.map((h) => h.chunk.documentId).join(', ')}`);
      }
    }
  });

  test('offline answers quote the right sentence, cite real source chunks, and say they are extracted', async () => {
    for (const q of QUESTIONS) {
      const answer = await service.query({ collection: 'docs', query: q.question });
      assert.equal(answer.mode, 'extracted');
      assert.equal(answer.strategy, 'hybrid');
      assert.equal(answer.insufficientContext, false);
      assert.match(answer.answer, q.answerIncludes);
      assert.match(answer.answer, /Extracted from the documents/);
      assert.ok(answer.citations.length > 0);
      for (const c of answer.citations) {
        const source = answer.sources[c.number - 1];
        assert.equal(source?.chunk.id, c.chunkId);
        assert.equal(source?.chunk.documentId, c.documentId);
      }
      assert.equal(answer.citations[0]?.documentId, q.documentId);
    }
  });

  test('metadata filters restrict the sources', async () => {
    const hits = await service.retrieve({ collection: 'docs', query: 'volcano lava ash tides moon', topK: 5, filter: { topic: 'geology', year: { gte: 2020 } } });
    assert.deepEqual([...new Set(hits.map((h) => h.chunk.documentId))], ['tides.md']);
  });

  test('re-ingesting unchanged documents does no work; a changed one is updated', async () => {
    const again = await service.ingest({ collection: 'docs', documents: CORPUS });
    assert.equal(again.embedded, 0);
    assert.equal(again.unchanged, 5);
    assert.ok(again.perDocument.every((d) => d.status === 'unchanged'));
    const changed = { ...CORPUS[3]!, text: `${CORPUS[3]!.text}\n\nReplace a worn chain before it wears out the cassette.` };
    const updated = await service.ingest({ collection: 'docs', documents: [changed] });
    assert.equal(updated.perDocument[0]?.status, 'updated');
    assert.ok(updated.embedded >= 1);
    const answer = await service.query({ collection: 'docs', query: 'When should a worn chain be replaced?' });
    assert.match(answer.answer, /wears out the cassette/);
    // Restore for the other tests.
    await service.ingest({ collection: 'docs', documents: [CORPUS[3]!] });
  });

  test('bad input is refused before anything is written', async () => {
    const stats = async () => (await service.getCollection('docs')).chunks;
    const chunksBefore = await stats();
    await assert.rejects(
      service.ingest({ collection: 'docs', documents: [{ id: 'new.md', text: 'A brand new document.', metadata: {} }, { id: 'blank.md', text: '  \n ', metadata: {} }] }),
      isError('empty_document', 400),
    );
    await assert.rejects(service.ingest({ collection: 'docs', documents: [CORPUS[0]!, CORPUS[0]!] }), isError('duplicate_document_id', 400));
    await assert.rejects(service.ingest({ collection: 'docs', documents: [] }), isError('no_documents', 400));
    await assert.rejects(service.ingest({ collection: 'nope', documents: [CORPUS[0]!] }), isError('unknown_collection', 404));
    assert.equal(await stats(), chunksBefore);
    assert.equal((await service.retrieve({ collection: 'docs', query: 'brand new document', strategy: 'keyword', topK: 5 })).some((h) => h.chunk.documentId === 'new.md'), false);
    assert.equal((await service.listCollections()).some((c) => c.name === 'nope'), false);

    await assert.rejects(service.query({ collection: 'docs', query: 'x', strategy: 'telepathy' }), isError('unknown_strategy', 400));
    await assert.rejects(service.query({ collection: 'docs', query: 'x', topK: 0 }), isError('invalid_top_k', 400));
    await assert.rejects(service.query({ collection: 'docs', query: '   ' }), isError('empty_query', 400));
    await assert.rejects(service.query({ collection: 'nope', query: 'cats' }), isError('unknown_collection', 404));
  });

  test('deleting a document removes its chunks from retrieval; deleting it again is a 404', async () => {
    await service.createCollection('scratch');
    await service.ingest({ collection: 'scratch', documents: CORPUS.slice(0, 2) });
    const removed = await service.deleteDocument('scratch', 'cats.md');
    assert.ok(removed.chunks >= 1);
    const hits = await service.retrieve({ collection: 'scratch', query: 'How long do cats sleep?', strategy: 'keyword', topK: 5 });
    assert.equal(hits.some((h) => h.chunk.documentId === 'cats.md'), false);
    await assert.rejects(service.deleteDocument('scratch', 'cats.md'), isError('unknown_document', 404));
    await assert.rejects(service.deleteDocument('nope', 'cats.md'), isError('unknown_collection', 404));
  });
});
