import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createTestSchema } from '../support/databases.js';
import { SqlTraceStore, parseTraceparent } from '../../src/observability/tracing/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startWebhookReceiver, type WebhookReceiver } from './alerting/webhook-receiver.js';
import { eventually } from '../gateway/harness.js';
import { captureIo } from '../support/cli.js';

const MASTER = 'master-key-for-observability-tests';

describe('conduit serve with tracing (own store) and alerting', () => {
  let dir: string;
  let upstream: FakeOpenAI;
  let receiver: WebhookReceiver;
  let schema: { url: string; drop(): Promise<void> };
  before(async () => {
    // PostgreSQL rather than embedded PGlite: the same SQL, and seconds faster to open twice.
    schema = await createTestSchema();
    dir = mkdtempSync(join(tmpdir(), 'conduit-obs-'));
    upstream = await startFakeOpenAI();
    receiver = await startWebhookReceiver();
    writeFileSync(
      join(dir, 'conduit.yaml'),
      [
        'providers:',
        `  openai: { api_key: test, base_url: "${upstream.url}" }`,
        'default_model: openai/gpt-4o-mini',
        'reliability: { max_retries: 0 }',
        `storage: { database_url: "${schema.url}" }`,
        'tracing: { enabled: true }',
        'alerting:',
        '  interval_ms: 50',
        `  webhooks: [{ url: "${receiver.url}/hook", format: generic }]`,
        '  rules: { error_rate: { for_ms: 0 } }',
      ].join('\n'),
    );
  });
  after(async () => {
    await upstream.close();
    await receiver.close();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('requests are stored as traces (traceparent honoured and forwarded) and a failing upstream fires an alert', async () => {
    const shutdown = new AbortController();
    const serve = captureIo({ cwd: dir, env: { CONDUIT_PORT: '0', CONDUIT_LOG_LEVEL: 'silent', CONDUIT_MASTER_KEY: MASTER }, signal: shutdown.signal });
    const exit = main(['serve', '--host', '127.0.0.1'], serve.io);
    const url = await Promise.race([serve.listeningUrl(), exit.then(() => Promise.reject(new Error(`serve exited: ${serve.stderr()}`)))]);
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    const chat = (headers: Record<string, string> = {}) =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}`, ...headers }, body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
    const ok = await chat({ traceparent: `00-${traceId}-1111222233334444-01` });
    assert.equal(ok.status, 200, await ok.text());
    const forwarded = upstream.requests.at(-1)!.headers.traceparent;
    assert.equal(parseTraceparent(typeof forwarded === 'string' ? forwarded : undefined)?.traceId, traceId);

    for (let i = 0; i < 3; i++) upstream.enqueue({ kind: 'error', status: 500, message: 'down', type: 'server_error' });
    for (let i = 0; i < 3; i++) assert.equal((await chat()).status >= 500, true);
    await eventually(() => receiver.received.some((r) => r.body.status === 'firing'), 5000);
    const firing = receiver.received.find((r) => r.body.status === 'firing')!;
    assert.equal((firing.body.labels as Record<string, string>).alertname, 'ConduitHighErrorRate');

    // An agent run over HTTP: the run and its tool call are spans under the request, beside the model calls.
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'call_1', name: 'calculator', arguments: '{"expression":"6*7"}' }], finishReason: 'tool_calls' });
    upstream.enqueue({ kind: 'reply', text: '42' });
    const run = await fetch(`${url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER}` }, body: JSON.stringify({ message: 'what is 6*7?' }) });
    assert.equal(run.status, 200, await run.clone().text());
    assert.deepEqual(((await run.json()) as { tools_used: string[] }).tools_used, ['calculator']);

    // The console's API: traces and alerts, admin only.
    const admin = { authorization: `Bearer ${MASTER}` };
    const list = await waitForTraces(url, admin, 5);
    assert.equal(list.data.find((t) => t.traceId === traceId)?.httpStatus, 200);
    const errors = (await (await fetch(`${url}/v1/traces?status=error&limit=10`, { headers: admin })).json()) as { data: unknown[] };
    assert.equal(errors.data.length, 3);
    const one = (await (await fetch(`${url}/v1/traces/${traceId}`, { headers: admin })).json()) as { spans: { name: string }[] };
    assert.deepEqual(one.spans.map((s) => s.name), ['POST /v1/chat/completions', 'chat gpt-4o-mini']);
    assert.equal((await fetch(`${url}/v1/traces?status=maybe`, { headers: admin })).status, 400);
    assert.equal((await fetch(`${url}/v1/traces`)).status, 401);
    const alerts = (await (await fetch(`${url}/v1/alerts`, { headers: admin })).json()) as { active: { name: string; state: string }[]; recent: { status: string }[] };
    assert.ok(alerts.recent.some((n) => n.status === 'firing'));

    shutdown.abort();
    assert.equal(await exit, 0, serve.stderr());

    const db = await openDatabase({ url: schema.url });
    try {
      const store = await SqlTraceStore.open(db, { pruneIntervalMs: 0 });
      const traces = await store.listTraces();
      assert.equal(traces.length, 5, 'the model and agent requests only: /v1/traces, /v1/alerts, /health and /metrics are not traced');
      const agentTrace = traces.find((t) => t.name === 'POST /v1/chat')!;
      const agentSpans = await store.getTrace(agentTrace.traceId);
      const root = agentSpans.find((s) => s.name === 'POST /v1/chat')!;
      const invoke = agentSpans.find((s) => s.name.startsWith('invoke_agent '))!;
      const tool = agentSpans.find((s) => s.name === 'execute_tool calculator')!;
      assert.equal(invoke.parentSpanId, root.spanId);
      assert.equal(tool.parentSpanId, invoke.spanId);
      assert.equal(tool.status, 'ok');
      const chats = agentSpans.filter((s) => s.name === 'chat gpt-4o-mini');
      assert.equal(chats.length, 2, 'each agent model call once (through the traced resolver, not again from the run events)');
      assert.ok(chats.every((c) => c.parentSpanId === root.spanId));
      const first = traces.find((t) => t.traceId === traceId)!;
      assert.ok(first, 'the caller’s trace id is kept');
      assert.equal(first.httpStatus, 200);
      assert.equal(first.spanCount, 2);
      assert.equal((await store.listTraces({ status: 'error' })).length, 3);
      assert.equal((await store.listTraces({ name: 'POST /v1/chat/completions' })).length, 4);
      const spans = await store.getTrace(traceId);
      assert.equal(spans[1]!.parentSpanId, spans[0]!.spanId);
      assert.equal(spans[1]!.attributes['gen_ai.request.model'], 'gpt-4o-mini');
    } finally {
      await db.close();
    }
  });
});

/** Spans reach the store in batches (every 2 s by default); poll until `n` traces are listed. */
async function waitForTraces(url: string, headers: Record<string, string>, n: number): Promise<{ data: { traceId: string; httpStatus?: number }[] }> {
  const until = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${url}/v1/traces`, { headers });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { traceId: string; httpStatus?: number }[] };
    if (body.data.length >= n || Date.now() > until) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}
