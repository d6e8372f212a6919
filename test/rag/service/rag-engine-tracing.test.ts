/** With tracing on, the service's retrievals and answers are spans in the caller's trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tracer, type SpanRecord } from '../../../src/observability/tracing/index.js';
import { createDefaultRagEngine } from '../../../src/rag/service/default-engine.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { createHashingEmbedder } from '../ingest/test-embedder.js';

test('retrieve and answer run inside spans parented to the active request span', async () => {
  const spans: SpanRecord[] = [];
  const tracer = new Tracer({ exporter: { export: async (s) => void spans.push(...s) }, intervalMs: 60_000 });
  const store = createMemoryCollectionStore();
  await store.create('docs');
  const index = await store.open('docs');
  const engine = createDefaultRagEngine({ embedder: createHashingEmbedder(), tracer, summaries: false });
  await engine.ingest(index, [
    { id: 'tides', text: 'Tides are caused by the gravitational pull of the moon on the oceans.', metadata: {} },
    { id: 'bread', text: 'Bread rises because yeast ferments sugar and releases carbon dioxide.', metadata: {} },
  ]);
  await tracer.withSpan('POST /v1/rag/query', {}, async () => {
    const chunks = await engine.retrieve(index, { query: 'why does bread rise', strategy: 'hybrid', topK: 2 });
    assert.equal(chunks[0]!.chunk.documentId, 'bread');
    const answer = await engine.answer(index, { query: 'what causes tides', strategy: 'keyword', topK: 2 });
    assert.equal(answer.sources[0]!.chunk.documentId, 'tides');
  });
  await tracer.flush();
  const root = spans.find((s) => s.name === 'POST /v1/rag/query')!;
  const retrieval = spans.find((s) => s.name === 'retrieval hybrid')!;
  const answer = spans.find((s) => s.name === 'rag.answer keyword')!;
  assert.equal(retrieval.parentSpanId, root.spanId);
  assert.equal(answer.parentSpanId, root.spanId);
  assert.equal(retrieval.traceId, root.traceId);
  assert.equal(retrieval.attributes['gen_ai.data_source.id'], 'docs');
  assert.equal(retrieval.attributes['conduit.retrieval.hits'], 2);
  assert.equal(answer.attributes['gen_ai.operation.name'], 'rag_answer');
});
