/**
 * The same service behaviour on PostgreSQL (pgvector + full-text) as on the embedded store: known
 * documents retrieved first, re-ingestion free, bad input changing nothing, deletion. The server
 * is PGlite with pgvector behind the real wire protocol (test/rag/index/pgvector-server.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { openPostgresCollectionStore } from '../../../src/rag/index/index.js';
import { createDefaultRagEngine } from '../../../src/rag/service/default-engine.js';
import { RagService } from '../../../src/rag/service/rag-service.js';
import { startPgvectorServer } from '../index/pgvector-server.js';
import { CORPUS, QUESTIONS } from './corpus.js';

describe('RagService on PostgreSQL', () => {
  let server: Awaited<ReturnType<typeof startPgvectorServer>>;
  let service: RagService;
  before(async () => {
    server = await startPgvectorServer();
    await loadDefaultEmbeddingModel();
    const store = await openPostgresCollectionStore({ db: server.db });
    service = new RagService({ store, engine: createDefaultRagEngine({ embedder: createDefaultEmbeddingModel(), model: createOfflineModel() }) });
  });
  after(async () => {
    await service.close();
    await server.stop();
  });

  test('ingest, answer, re-ingest for free, refuse bad input, delete', async () => {
    await service.createCollection('kb');
    const first = await service.ingest({ collection: 'kb', documents: CORPUS });
    assert.equal(first.embedded, first.chunks);
    for (const strategy of ['hybrid', 'vector', 'keyword']) {
      for (const q of QUESTIONS) {
        const hits = await service.retrieve({ collection: 'kb', query: q.question, strategy, topK: 3 });
        assert.equal(hits[0]?.chunk.documentId, q.documentId, `${strategy}: ${q.question}`);
      }
    }
    const answer = await service.query({ collection: 'kb', query: QUESTIONS[0].question });
    assert.match(answer.answer, QUESTIONS[0].answerIncludes);

    const again = await service.ingest({ collection: 'kb', documents: CORPUS });
    assert.equal(again.embedded, 0);
    assert.equal(again.unchanged, CORPUS.length);

    const before = await service.getCollection('kb');
    await assert.rejects(
      service.ingest({ collection: 'kb', documents: [{ id: 'new.md', text: 'Brand new.', metadata: {} }, { id: 'blank.md', text: ' ', metadata: {} }] }),
      (err: unknown) => err instanceof ConduitError && err.code === 'empty_document',
    );
    const after = await service.getCollection('kb');
    assert.deepEqual([after.documents, after.chunks], [before.documents, before.chunks]);

    const removed = await service.deleteDocument('kb', 'cats.md');
    assert.ok(removed.chunks >= 1);
    const hits = await service.retrieve({ collection: 'kb', query: 'cats sleep hours', strategy: 'keyword', topK: 5 });
    assert.equal(hits.some((h) => h.chunk.documentId === 'cats.md'), false);
  });
});
