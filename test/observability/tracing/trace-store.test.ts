import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../../support/databases.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { SqlTraceStore, Tracer } from '../../../src/observability/tracing/index.js';
import { ConduitError } from '../../../src/core/errors.js';

for (const factory of databaseFactories) {
  describe(`SqlTraceStore (${factory.name})`, () => {
    let db: SqlDatabase;
    let dispose: () => Promise<void>;
    let store: SqlTraceStore;
    let tracer: Tracer;

    before(async () => {
      ({ db, dispose } = await factory.open());
      store = await SqlTraceStore.open(db, { retentionMs: 3600_000, pruneIntervalMs: 0 });
      tracer = new Tracer({ exporter: store, intervalMs: 60_000 });
    });
    after(async () => {
      await tracer.shutdown();
      await dispose();
    });

    test('stores span trees and lists traces by key, model, status, time and cost', async () => {
      const t0 = Date.now() - 10_000;
      const a = tracer.startSpan('POST /v1/chat/completions', { kind: 'server', startTimeMs: t0, attributes: { 'conduit.key_id': 'key-a', 'gen_ai.request.model': 'gpt-4o', 'http.response.status_code': 200, 'conduit.cost_usd': 0.5 } });
      const child = tracer.startSpan('chat gpt-4o', { parent: a, kind: 'client', startTimeMs: t0 + 1, attributes: { 'conduit.cost_usd': 0.5, 'gen_ai.usage.input_tokens': 10 } });
      child.end(t0 + 50);
      a.end(t0 + 60);
      const b = tracer.startSpan('POST /v1/chat/completions', { kind: 'server', startTimeMs: t0 + 1000, attributes: { 'conduit.key_id': 'key-b', 'gen_ai.request.model': 'gpt-4o-mini', 'http.response.status_code': 502 } });
      b.recordError(new ConduitError('provider_error', 'upstream broke'));
      b.end(t0 + 1100);
      // An agent run outside the gateway: no cost on the root, so the trace cost is its children's sum.
      await tracer.withSpan('agent.run support', { startTimeMs: t0 + 2000 }, async (run) => {
        tracer.startSpan('chat m', { kind: 'client', attributes: { 'conduit.cost_usd': 0.25 } }).end();
        tracer.startSpan('chat m', { parent: run, kind: 'client', attributes: { 'conduit.cost_usd': 0.5 } }).end();
      });
      await tracer.flush();

      const all = await store.listTraces();
      assert.deepEqual(all.map((t) => t.name), ['agent.run support', 'POST /v1/chat/completions', 'POST /v1/chat/completions']);
      assert.equal(all[0]!.costUsd, 0.75);
      assert.equal(all[0]!.spanCount, 3);
      assert.equal(all[2]!.traceId, a.context.traceId);
      assert.equal(all[2]!.durationMs, 60);
      assert.equal(all[2]!.spanCount, 2);

      assert.deepEqual((await store.listTraces({ keyId: 'key-a' })).map((t) => t.traceId), [a.context.traceId]);
      assert.deepEqual((await store.listTraces({ model: 'gpt-4o-mini' })).map((t) => t.traceId), [b.context.traceId]);
      const errors = await store.listTraces({ status: 'error' });
      assert.deepEqual(errors.map((t) => t.traceId), [b.context.traceId]);
      assert.equal(errors[0]!.status, 'error');
      assert.equal(errors[0]!.httpStatus, 502);
      assert.equal((await store.listTraces({ status: 'ok' })).length, 2);
      assert.deepEqual((await store.listTraces({ minCostUsd: 0.6 })).map((t) => t.name), ['agent.run support']);
      assert.deepEqual((await store.listTraces({ since: t0 + 500, until: t0 + 1500 })).map((t) => t.traceId), [b.context.traceId]);
      assert.equal((await store.listTraces({ limit: 1 })).length, 1);
      await assert.rejects(store.listTraces({ limit: 0 }), { kind: 'invalid_request' });

      const spans = await store.getTrace(a.context.traceId);
      assert.deepEqual(spans.map((s) => s.name), ['POST /v1/chat/completions', 'chat gpt-4o']);
      assert.equal(spans[1]!.parentSpanId, spans[0]!.spanId);
      assert.equal(spans[1]!.attributes['gen_ai.usage.input_tokens'], 10);
      const failed = await store.getTrace(b.context.traceId);
      assert.equal(failed[0]!.status, 'error');
      assert.equal(failed[0]!.statusMessage, 'upstream broke');
      assert.equal(failed[0]!.events[0]!.name, 'exception');
      await assert.rejects(store.getTrace('f'.repeat(32)), { kind: 'not_found' });
      await assert.rejects(store.getTrace('nope'), { kind: 'invalid_request' });
    });

    test('retention deletes spans older than the period', async () => {
      const old = tracer.startSpan('old', { startTimeMs: Date.now() - 2 * 3600_000 });
      old.end(Date.now() - 2 * 3600_000 + 5);
      await tracer.flush();
      const before = (await store.listTraces({ limit: 500 })).length;
      const deleted = await store.prune();
      assert.equal(deleted, 1);
      assert.equal((await store.listTraces({ limit: 500 })).length, before - 1);
      await assert.rejects(store.getTrace(old.context.traceId), { kind: 'not_found' });
    });
  });
}
