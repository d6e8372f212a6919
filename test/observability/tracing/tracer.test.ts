import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tracer, formatTraceparent, parseTraceparent } from '../../../src/observability/tracing/index.js';
import type { SpanExporter, SpanRecord } from '../../../src/observability/tracing/index.js';

function memoryTracer(opts: { maxBatch?: number; maxQueue?: number } = {}): { tracer: Tracer; batches: SpanRecord[][] } {
  const batches: SpanRecord[][] = [];
  const exporter: SpanExporter = {
    export: (spans) => {
      batches.push([...spans]);
      return Promise.resolve();
    },
  };
  return { tracer: new Tracer({ exporter, intervalMs: 60_000, ...opts }), batches };
}

describe('traceparent', () => {
  test('parses valid headers and rejects malformed or all-zero ids', () => {
    const ctx = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    assert.deepEqual(ctx, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    assert.equal(formatTraceparent(ctx!), '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    assert.equal(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), undefined);
    assert.equal(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'), undefined);
    assert.equal(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), undefined);
    assert.equal(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'), undefined);
    assert.ok(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'), 'future versions may append fields');
    assert.equal(parseTraceparent('garbage'), undefined);
    assert.equal(parseTraceparent(undefined), undefined);
  });
});

describe('Tracer', () => {
  test('withSpan nests spans through async code and records failures', async () => {
    const { tracer, batches } = memoryTracer();
    await assert.rejects(
      tracer.withSpan('agent.run', {}, async () => {
        await tracer.withSpan('tool.call', {}, async () => {
          await new Promise((r) => setTimeout(r, 1));
        });
        throw new Error('boom');
      }),
      /boom/,
    );
    await tracer.flush();
    const spans = batches.flat();
    const run = spans.find((s) => s.name === 'agent.run')!;
    const tool = spans.find((s) => s.name === 'tool.call')!;
    assert.equal(tool.parentSpanId, run.spanId);
    assert.equal(tool.traceId, run.traceId);
    assert.equal(tool.status, 'ok');
    assert.equal(run.status, 'error');
    assert.equal(run.statusMessage, 'boom');
    assert.equal(run.parentSpanId, undefined);
    assert.ok(run.endTimeMs >= tool.endTimeMs);
  });

  test('parent: null starts a new trace inside an active span; ending twice exports once', async () => {
    const { tracer, batches } = memoryTracer();
    await tracer.withSpan('outer', {}, () => {
      const detached = tracer.startSpan('detached', { parent: null });
      detached.end();
      detached.end();
    });
    await tracer.flush();
    const spans = batches.flat();
    assert.equal(spans.length, 2);
    assert.notEqual(spans[0]!.traceId, spans[1]!.traceId);
  });

  test('batches by size and drops the oldest beyond the queue bound', async () => {
    const { tracer, batches } = memoryTracer({ maxBatch: 2, maxQueue: 3 });
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();
    await tracer.flush();
    assert.ok(batches.every((b) => b.length <= 2));
    assert.equal(batches.flat().length, 5);
    const slow = memoryTracer({ maxBatch: 100, maxQueue: 3 });
    for (let i = 0; i < 5; i++) slow.tracer.startSpan(`s${i}`).end();
    await slow.tracer.flush();
    assert.deepEqual(slow.batches.flat().map((s) => s.name), ['s2', 's3', 's4']);
    assert.equal(slow.tracer.droppedSpans, 2);
  });
});
