import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayTracing, Tracer } from '../../../src/observability/tracing/index.js';
import type { SpanRecord } from '../../../src/observability/tracing/index.js';
import { startGateway } from '../../gateway/harness.js';
import type { AppRoutes } from '../../../src/gateway/app-routes.js';

test('spans started inside an app route are children of the request span; untraced gateways record nothing', async () => {
  const spans: SpanRecord[] = [];
  const tracer = new Tracer({ exporter: { export: async (s) => void spans.push(...s) }, intervalMs: 60_000 });
  const route: AppRoutes = {
    name: 'probe',
    matches: (path) => path === '/v1/probe',
    handle: (ctx) => tracer.withSpan('retrieval probe', {}, () => ctx.sendJson(200, '{"ok":true}')),
  };
  const traced = await startGateway({}, {}, { tracing: new GatewayTracing(tracer), appRoutes: [route] });
  const untraced = await startGateway({}, {}, { appRoutes: [route] });
  try {
    assert.equal((await fetch(`${traced.url}/v1/probe`)).status, 200);
    await tracer.flush();
    const server = spans.find((s) => s.kind === 'server')!;
    const inner = spans.find((s) => s.name === 'retrieval probe')!;
    assert.equal(server.name, 'GET /v1/probe');
    assert.equal(server.attributes['http.route'], 'probe');
    assert.equal(inner.parentSpanId, server.spanId);
    assert.equal(inner.traceId, server.traceId);

    // Without a GatewayTracing the request span does not exist; the route's own span starts its own trace.
    const before = spans.length;
    assert.equal((await fetch(`${untraced.url}/v1/probe`)).status, 200);
    await tracer.flush();
    const added = spans.slice(before);
    assert.deepEqual(added.map((s) => [s.name, s.parentSpanId]), [['retrieval probe', undefined]]);
  } finally {
    await traced.close();
    await untraced.close();
    await tracer.shutdown();
  }
});
