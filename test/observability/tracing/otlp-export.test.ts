import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { GatewayTracing, OtlpHttpJsonExporter, Tracer, tracedResolver, parseTraceparent } from '../../../src/observability/tracing/index.js';
import { ScriptedResolver } from '../../gateway/scripted-model.js';
import { attr, startCollectorStub, type CollectorStub } from './otlp-collector-stub.js';

describe('OTLP export of gateway and model-call spans', () => {
  let upstream: FakeOpenAI;
  let collector: CollectorStub;
  let tracer: Tracer;
  let gw: Harness;

  before(async () => {
    upstream = await startFakeOpenAI();
    collector = await startCollectorStub();
    tracer = new Tracer({ exporter: new OtlpHttpJsonExporter({ endpoint: collector.url, resource: { 'deployment.environment': 'test' } }), intervalMs: 60_000 });
    const models = { 'gpt-4o-mini': createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'test' }) };
    // Model calls traced through the middleware on the resolver, as `conduit serve` wires it.
    gw = await startGateway(models, {}, { tracing: new GatewayTracing(tracer), resolver: tracedResolver(new ScriptedResolver(models, {}), tracer) });
  });

  after(async () => {
    await gw.close();
    await tracer.shutdown();
    await collector.close();
    await upstream.close();
  });

  test('a chat request exports a server span with a child model span carrying GenAI attributes, and the upstream sees its traceparent', async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${callerTrace}-${callerSpan}-01` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    await tracer.flush();

    assert.equal(collector.requests.length, 1);
    assert.equal(collector.requests[0]!.contentType, 'application/json');
    const resource = collector.requests[0]!.body.resourceSpans[0]!.resource.attributes;
    assert.deepEqual(resource.find((a) => a.key === 'service.name')?.value, { stringValue: 'conduit' });

    const server = collector.spans.find((s) => s.kind === 2);
    const client = collector.spans.find((s) => s.kind === 3);
    assert.ok(server && client, 'one server span and one client span');
    assert.equal(server.traceId, callerTrace, 'the incoming traceparent is honoured');
    assert.equal(server.parentSpanId, callerSpan);
    assert.equal(server.name, 'POST /v1/chat/completions');
    assert.equal(attr(server, 'http.response.status_code'), 200);
    assert.equal(attr(server, 'gen_ai.request.model'), 'gpt-4o-mini');

    assert.equal(client.traceId, callerTrace);
    assert.equal(client.parentSpanId, server.spanId, 'the model call is a child of the request span');
    assert.equal(client.name, 'chat gpt-4o-mini');
    assert.equal(attr(client, 'gen_ai.operation.name'), 'chat');
    assert.equal(attr(client, 'gen_ai.provider.name'), 'openai');
    assert.equal(attr(client, 'gen_ai.system'), 'openai');
    assert.equal(attr(client, 'gen_ai.request.model'), 'gpt-4o-mini');
    assert.equal(typeof attr(client, 'gen_ai.response.model'), 'string');
    assert.deepEqual(attr(client, 'gen_ai.response.finish_reasons'), ['stop']);
    assert.ok((attr(client, 'gen_ai.usage.input_tokens') as number) > 0);
    assert.ok((attr(client, 'gen_ai.usage.output_tokens') as number) > 0);
    assert.equal(attr(client, 'gen_ai.input.messages'), undefined, 'no prompt text without opt-in');
    assert.equal(client.status.code, 1);
    assert.ok(BigInt(client.startTimeUnixNano) >= BigInt(server.startTimeUnixNano));
    assert.ok(BigInt(client.endTimeUnixNano) <= BigInt(server.endTimeUnixNano));

    const sent = upstream.requests.at(-1)!.headers.traceparent;
    const parsed = parseTraceparent(typeof sent === 'string' ? sent : undefined);
    assert.ok(parsed, `upstream got a valid traceparent (${String(sent)})`);
    assert.equal(parsed.traceId, callerTrace, 'same trace id upstream');
    assert.equal(parsed.spanId, client.spanId, 'upstream parent = the model-call span');
  });

  test('a streamed request without traceparent starts a new trace; the model span records time to first token', async () => {
    const before = collector.spans.length;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
    await tracer.flush();
    const spans = collector.spans.slice(before);
    const server = spans.find((s) => s.kind === 2)!;
    const client = spans.find((s) => s.kind === 3)!;
    assert.equal(server.parentSpanId, undefined, 'root span');
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(client.traceId, server.traceId);
    assert.equal(attr(server, 'conduit.stream'), true);
    assert.equal(typeof attr(client, 'conduit.time_to_first_token_ms'), 'number');
    assert.ok((attr(client, 'gen_ai.usage.output_tokens') as number) > 0);
    const sent = upstream.requests.at(-1)!.headers.traceparent;
    assert.equal(parseTraceparent(typeof sent === 'string' ? sent : undefined)?.traceId, server.traceId);
  });

  test('a failed upstream call marks both spans as errors', async () => {
    upstream.enqueue({ kind: 'error', status: 400, message: 'bad things', type: 'invalid_request_error' });
    const before = collector.spans.length;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 400);
    await res.text();
    await tracer.flush();
    const spans = collector.spans.slice(before);
    const server = spans.find((s) => s.kind === 2)!;
    const client = spans.find((s) => s.kind === 3)!;
    assert.equal(client.status.code, 2);
    assert.equal(server.status.code, 2);
    assert.equal(attr(server, 'http.response.status_code'), 400);
    assert.ok(client.events.some((e) => e.name === 'exception'));
  });
});
