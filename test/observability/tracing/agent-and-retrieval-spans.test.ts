import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { runAgent } from '../../../src/agents/loop/run-agent.js';
import { defineTool } from '../../../src/agents/tools/define-tool.js';
import { Tracer, agentRunTracer, tracedRetriever } from '../../../src/observability/tracing/index.js';
import type { SpanRecord } from '../../../src/observability/tracing/index.js';
import type { Retriever, RetrievedChunk } from '../../../src/rag/types.js';
import { ScriptedModel, reply, toolCallReply } from '../../support/scripted-model.js';

function memoryTracer(): { tracer: Tracer; spans: SpanRecord[] } {
  const spans: SpanRecord[] = [];
  return { tracer: new Tracer({ exporter: { export: async (s) => void spans.push(...s) }, intervalMs: 60_000 }), spans };
}

describe('agent run and retrieval spans', () => {
  test('a run becomes an invoke_agent span with model-call and tool-call children', async () => {
    const { tracer, spans } = memoryTracer();
    const lookup = defineTool({ name: 'lookup', description: 'looks up', schema: z.object({ q: z.string() }), execute: async ({ q }) => `found ${q}` });
    const model = new ScriptedModel({ modelId: 'm1', script: [toolCallReply([{ id: 'c1', name: 'lookup', arguments: '{"q":"x"}' }, { id: 'c2', name: 'nope', arguments: '{}' }]), reply('done')] });
    const parent = tracer.startSpan('POST /v1/agents/support/runs', { kind: 'server' });
    const result = await runAgent({ model, agent: 'support', tools: [lookup], input: 'find x', onEvent: agentRunTracer(tracer, { parent }) });
    parent.end();
    assert.equal(result.status, 'completed');
    await tracer.flush();

    const run = spans.find((s) => s.name === 'invoke_agent support')!;
    assert.ok(run, spans.map((s) => s.name).join(', '));
    assert.equal(run.parentSpanId, parent.context.spanId);
    assert.equal(run.traceId, parent.context.traceId);
    assert.equal(run.attributes['gen_ai.operation.name'], 'invoke_agent');
    assert.equal(run.attributes['gen_ai.agent.name'], 'support');
    assert.equal(run.attributes['conduit.run.status'], 'completed');
    assert.equal(run.status, 'ok');
    assert.equal(run.attributes['conduit.agent.input'], undefined, 'no content without capture');

    const chats = spans.filter((s) => s.name === 'chat m1');
    assert.equal(chats.length, 2);
    assert.ok(chats.every((c) => c.parentSpanId === run.spanId && c.kind === 'client'));
    assert.deepEqual(chats.map((c) => c.attributes['gen_ai.response.finish_reasons']), [['tool_calls'], ['stop']]);

    const tools = spans.filter((s) => s.name.startsWith('execute_tool'));
    assert.deepEqual(tools.map((t) => t.name).sort(), ['execute_tool lookup', 'execute_tool nope']);
    const ok = tools.find((t) => t.name === 'execute_tool lookup')!;
    assert.equal(ok.parentSpanId, run.spanId);
    assert.equal(ok.attributes['gen_ai.tool.call.id'], 'c1');
    assert.equal(ok.status, 'ok');
    const refused = tools.find((t) => t.name === 'execute_tool nope')!;
    assert.equal(refused.status, 'error');
    assert.equal(refused.attributes['conduit.tool.outcome'], 'refused');
    assert.ok(run.startTimeMs <= chats[0]!.startTimeMs + 1 && run.endTimeMs >= chats[1]!.endTimeMs - 1);
  });

  test('a traced retriever records a retrieval span under the active span', async () => {
    const { tracer, spans } = memoryTracer();
    const hits: RetrievedChunk[] = [{ chunk: { id: 'c', documentId: 'd', text: 't' } as RetrievedChunk['chunk'], score: 0.9, via: 'vector' }];
    const inner: Retriever = { name: 'hybrid', retrieve: async () => hits };
    const retriever = tracedRetriever(tracer, inner, { dataSource: 'docs' });
    await tracer.withSpan('rag.ask', {}, async () => {
      assert.equal((await retriever.retrieve({ query: 'what is conduit', topK: 5 })).length, 1);
    });
    await tracer.flush();
    const ask = spans.find((s) => s.name === 'rag.ask')!;
    const retrieval = spans.find((s) => s.name === 'retrieval hybrid')!;
    assert.equal(retrieval.parentSpanId, ask.spanId);
    assert.equal(retrieval.attributes['gen_ai.data_source.id'], 'docs');
    assert.equal(retrieval.attributes['conduit.retrieval.hits'], 1);
    assert.equal(retrieval.attributes['conduit.retrieval.top_score'], 0.9);
    assert.equal(retrieval.attributes['conduit.retrieval.query'], undefined);
  });
});
