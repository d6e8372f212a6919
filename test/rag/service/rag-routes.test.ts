/**
 * The RAG HTTP API through a real gateway: collections, JSON and multipart ingestion, queries,
 * deletion, and every kind of bad input answered with a 4xx OpenAI-shaped error that changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/embedded/embedded-collection-store.js';
import { createDefaultRagEngine } from '../../../src/rag/service/default-engine.js';
import { createRagRoutes } from '../../../src/rag/service/rag-routes.js';
import { RagService } from '../../../src/rag/service/rag-service.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { CORPUS } from './corpus.js';

const UPLOAD_LIMIT = 4096;

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

describe('RAG HTTP API', () => {
  let h: Harness;
  let service: RagService;

  const post = (path: string, body: unknown) =>
    fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const upload = (collection: string, files: { name: string; type: string; content: string | Uint8Array }[], fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const f of files) form.append('file', new Blob([f.content], { type: f.type }), f.name);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return fetch(`${h.url}/v1/rag/collections/${collection}/documents`, { method: 'POST', body: form });
  };
  /** Documents and chunks of every collection: compared before and after a refused request. */
  const snapshot = async () => JSON.stringify((await service.listCollections()).map((c) => [c.name, c.documents, c.chunks]));
  const expectError = async (res: Response, status: number, code: string) => {
    const body = (await res.json()) as ErrorBody;
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    assert.equal(typeof body.error.message, 'string');
    return body;
  };

  before(async () => {
    await loadDefaultEmbeddingModel();
    service = new RagService({ store: createMemoryCollectionStore(), engine: createDefaultRagEngine({ embedder: createDefaultEmbeddingModel(), model: createOfflineModel() }) });
    h = await startGateway({}, {}, { appRoutes: [createRagRoutes(service, { uploadLimitBytes: UPLOAD_LIMIT })] });
  });
  after(() => h.close());

  test('create and list collections', async () => {
    const created = await post('/v1/rag/collections', { name: 'kb', description: 'knowledge base' });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), {
      object: 'rag.collection',
      name: 'kb',
      description: 'knowledge base',
      dimensions: null,
      documents: 0,
      chunks: 0,
      created_at: ((await service.getCollection('kb')).createdAt),
    });
    await expectError(await post('/v1/rag/collections', { name: 'kb' }), 409, 'collection_exists');
    const list = (await (await fetch(`${h.url}/v1/rag/collections`)).json()) as { object: string; data: { name: string }[] };
    assert.equal(list.object, 'list');
    assert.deepEqual(list.data.map((c) => c.name), ['kb']);
    const one = (await (await fetch(`${h.url}/v1/rag/collections/kb`)).json()) as { name: string; description: string };
    assert.deepEqual([one.name, one.description], ['kb', 'knowledge base']);
    await expectError(await fetch(`${h.url}/v1/rag/collections/missing`), 404, 'unknown_collection');
  });

  test('JSON documents are ingested and answered from, with sources and citations', async () => {
    const res = await post('/v1/rag/collections/kb/documents', { documents: CORPUS.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata, type: 'markdown' })) });
    const body = (await res.json()) as { documents: { id: string; status: string; chunks: number }[]; summary: { documents: number; chunks: number; embedded: number } };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.deepEqual(body.documents.map((d) => [d.id, d.status]), CORPUS.map((d) => [d.id, 'added']));
    assert.equal(body.summary.documents, 5);
    assert.ok(body.summary.chunks >= 5);

    // A single document as the body, without an id: a stable id from its content.
    const single = await post('/v1/rag/collections/kb/documents', { text: 'Penguins cannot fly but they swim at up to 35 kilometres per hour.', metadata: { topic: 'birds' } });
    assert.equal(single.status, 201);
    const singleId = ((await single.json()) as { documents: { id: string }[] }).documents[0]?.id;
    assert.match(singleId ?? '', /^text-[0-9a-f]{16}$/);

    const q = await post('/v1/rag/query', { query: 'How fast can penguins swim?', collection: 'kb', top_k: 3 });
    const answer = (await q.json()) as {
      object: string;
      answer: string;
      mode: string;
      strategy: string;
      sources: { id: string; document_id: string; text: string; score: number; metadata: Record<string, unknown> }[];
      citations: { number: number; chunk_id: string; document_id: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    assert.equal(q.status, 200, JSON.stringify(answer));
    assert.equal(answer.object, 'rag.answer');
    assert.equal(answer.mode, 'extracted');
    assert.equal(answer.strategy, 'hybrid');
    assert.match(answer.answer, /35 kilometres per hour/);
    assert.equal(answer.sources[0]?.document_id, singleId);
    assert.equal(answer.sources[0]?.metadata.topic, 'birds');
    assert.ok(answer.sources.length <= 3);
    assert.equal(typeof answer.sources[0]?.score, 'number');
    const cited = answer.citations[0];
    assert.ok(cited);
    assert.equal(answer.sources[cited.number - 1]?.id, cited.chunk_id);
    assert.equal(typeof answer.usage.total_tokens, 'number');

    // Strategy and filters are honoured.
    const filtered = await post('/v1/rag/query', { query: 'volcano lava tides moon', collection: 'kb', strategy: 'keyword', filters: { topic: 'geology', year: { gte: 2020 } } });
    const fbody = (await filtered.json()) as { strategy: string; sources: { document_id: string }[] };
    assert.equal(filtered.status, 200);
    assert.equal(fbody.strategy, 'keyword');
    assert.deepEqual([...new Set(fbody.sources.map((s) => s.document_id))], ['tides.md']);
  });

  test('multipart upload: files become documents named after them, with form metadata', async () => {
    await post('/v1/rag/collections', { name: 'uploads' });
    const res = await upload(
      'uploads',
      [
        { name: 'glaciers.md', type: 'text/markdown', content: '# Glaciers\n\nA glacier moves downhill under its own weight, often less than a metre per day.' },
        { name: 'deserts.txt', type: 'application/octet-stream', content: 'The Atacama in Chile is the driest non-polar desert on Earth.' },
      ],
      { metadata: JSON.stringify({ source: 'upload-test' }) },
    );
    const body = (await res.json()) as { documents: { id: string; status: string }[] };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.deepEqual(body.documents.map((d) => d.id).sort(), ['deserts.txt', 'glaciers.md']);
    const q = (await (await post('/v1/rag/query', { query: 'Which desert is the driest?', collection: 'uploads' })).json()) as { answer: string; sources: { document_id: string; metadata: Record<string, unknown> }[] };
    assert.equal(q.sources[0]?.document_id, 'deserts.txt');
    assert.equal(q.sources[0]?.metadata.source, 'upload-test');
    assert.match(q.answer, /Atacama/);
  });

  test('bad input gets a clear 4xx and changes nothing', async () => {
    const before = await snapshot();
    const cases: [Promise<Response>, number, string][] = [
      [upload('uploads', [{ name: 'program.exe', type: 'application/x-msdownload', content: 'MZ\u0090\u0000' }]), 400, 'unsupported_file_type'],
      // One good file and one bad: neither is ingested.
      [upload('uploads', [{ name: 'ok.md', type: 'text/markdown', content: '# Fine\n\nA perfectly good file.' }, { name: 'data.bin', type: 'application/octet-stream', content: 'xx' }]), 400, 'unsupported_file_type'],
      [upload('uploads', [{ name: 'empty.md', type: 'text/markdown', content: '' }]), 400, 'empty_document'],
      [upload('uploads', [{ name: 'big.md', type: 'text/markdown', content: 'word '.repeat(UPLOAD_LIMIT) }]), 413, 'upload_too_large'],
      [upload('uploads', [{ name: 'ok.md', type: 'text/markdown', content: 'fine' }], { metadata: 'not json' }), 400, 'invalid_metadata'],
      [upload('nope', [{ name: 'ok.md', type: 'text/markdown', content: 'fine' }]), 404, 'unknown_collection'],
      [post('/v1/rag/collections/kb/documents', { documents: [{ id: 'a.md', text: 'fine' }, { id: 'b.md', text: '   ' }] }), 400, 'empty_document'],
      [post('/v1/rag/collections/kb/documents', { documents: [{ id: 'a.md', txt: 'typo' }] }), 400, 'invalid_request_body'],
      [post('/v1/rag/collections/kb/documents', { text: 'x'.repeat(UPLOAD_LIMIT + 10) }), 413, 'request_too_large'],
      [post('/v1/rag/collections/kb/documents', '{"text": "unterminated'), 400, 'invalid_json'],
      [post('/v1/rag/collections/nope/documents', { text: 'fine' }), 404, 'unknown_collection'],
      [post('/v1/rag/collections', { name: '../etc' }), 400, 'invalid_collection_name'],
      [post('/v1/rag/collections', { title: 'no name' }), 400, 'invalid_request_body'],
      [post('/v1/rag/query', { query: 'cats', collection: 'kb', top_k: 0 }), 400, 'invalid_request_body'],
      [post('/v1/rag/query', { query: 'cats', collection: 'kb', strategy: 'telepathy' }), 400, 'unknown_strategy'],
      [post('/v1/rag/query', { query: 'cats', collection: 'kb', filters: { year: { gte: 2000, between: 1 } } }), 400, 'invalid_request_body'],
      [post('/v1/rag/query', { query: 'cats', collection: 'nope' }), 404, 'unknown_collection'],
      [fetch(`${h.url}/v1/rag/collections/kb/documents/never-added.md`, { method: 'DELETE' }), 404, 'unknown_document'],
      [fetch(`${h.url}/v1/rag/query`), 405, 'method_not_allowed'],
    ];
    for (const [pending, status, code] of cases) await expectError(await pending, status, code);
    const typo = (await (await post('/v1/rag/query', { query: 'cats', collection: 'kb', top_k: 0 })).json()) as ErrorBody;
    assert.equal(typo.error.param, 'top_k');
    assert.equal(typo.error.type, 'invalid_request_error');
    assert.equal(await snapshot(), before);
    assert.equal((await service.listCollections()).some((c) => c.name === 'nope'), false);
  });

  test('DELETE removes a document from answers; a second DELETE is a 404', async () => {
    const res = await fetch(`${h.url}/v1/rag/collections/uploads/documents/deserts.txt`, { method: 'DELETE' });
    const body = (await res.json()) as { deleted: boolean; chunks: number };
    assert.equal(res.status, 200);
    assert.equal(body.deleted, true);
    assert.ok(body.chunks >= 1);
    const q = (await (await post('/v1/rag/query', { query: 'Which desert is the driest?', collection: 'uploads' })).json()) as { sources: { document_id: string }[] };
    assert.equal(q.sources.some((s) => s.document_id === 'deserts.txt'), false);
    await expectError(await fetch(`${h.url}/v1/rag/collections/uploads/documents/deserts.txt`, { method: 'DELETE' }), 404, 'unknown_document');

    // Ids with slashes (files in sub-folders) are percent-encoded in the path.
    assert.equal((await post('/v1/rag/collections/uploads/documents', { id: 'guides/intro.md', text: 'An introduction.' })).status, 201);
    const nested = await fetch(`${h.url}/v1/rag/collections/uploads/documents/${encodeURIComponent('guides/intro.md')}`, { method: 'DELETE' });
    assert.equal(nested.status, 200);
    assert.equal(((await nested.json()) as { id: string }).id, 'guides/intro.md');
  });
});

test('a lazily opened service is opened once on first use, retried after a failed open, and closed with the gateway', async () => {
  let opens = 0;
  let closed = 0;
  const service = new RagService({ store: createMemoryCollectionStore(), engine: createDefaultRagEngine({ embedder: createDefaultEmbeddingModel() }) });
  const close = service.close.bind(service);
  service.close = async () => {
    closed++;
    await close();
  };
  const routes = createRagRoutes(async () => {
    opens++;
    if (opens === 1) throw new Error('storage not reachable yet');
    return service;
  });
  const h = await startGateway({}, {}, { appRoutes: [routes] });
  try {
    assert.equal((await fetch(`${h.url}/v1/rag/collections`)).status, 500);
    assert.equal((await fetch(`${h.url}/v1/rag/collections`)).status, 200);
    assert.equal((await fetch(`${h.url}/v1/rag/collections`)).status, 200);
    assert.equal(opens, 2);
  } finally {
    await h.close();
  }
  assert.equal(closed, 1);
});
