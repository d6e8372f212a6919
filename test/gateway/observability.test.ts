/** Metrics, logs, readiness and client-disconnect cancellation. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import OpenAI from 'openai';
import { ConduitError } from '../../src/core/errors.js';
import { ScriptedModel } from './scripted-model.js';
import { eventually, startGateway } from './harness.js';

function metricValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

async function metricsText(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
  return r.text();
}

describe('metrics and logs', () => {
  test('/metrics counts requests, errors, tokens, cost, TTFT and overhead correctly', async () => {
    const chat = new ScriptedModel('scripted', 'c-1', { kind: 'reply', text: 'hello', usage: { inputTokens: 10, outputTokens: 4, cachedInputTokens: 2, cacheWriteTokens: 1, reasoningTokens: 1 }, costUsd: 0.25 });
    const failing = new ScriptedModel('scripted', 'f-1', { kind: 'error', error: new ConduitError('provider_unavailable', 'down', { provider: 'openai' }) });
    const cut = new ScriptedModel('scripted', 'x-1', { kind: 'error', error: new ConduitError('stream_interrupted', 'cut'), afterChunks: 2, text: '12345678' });
    const h = await startGateway({ chat, failing, cut });
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: `${h.url}/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'a' }] });
      const s = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'a' }], stream: true });
      for await (const _ of s) void _;
      await assert.rejects(client.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'a' }] }));
      await assert.rejects(client.chat.completions.create({ model: 'failing', messages: [{ role: 'user', content: 'a' }] }));
      const cs = await client.chat.completions.create({ model: 'cut', messages: [{ role: 'user', content: 'a' }], stream: true });
      await assert.rejects(
        (async () => {
          for await (const _ of cs) void _;
        })(),
      );

      const text = await metricsText(h.url);
      assert.equal(metricValue(text, 'llm_requests_total{model="chat",provider="scripted",status="200"}'), 2);
      assert.equal(metricValue(text, 'llm_requests_total{model="unknown",provider="none",status="404"}'), 1);
      assert.equal(metricValue(text, 'llm_requests_total{model="failing",provider="openai",status="503"}'), 1);
      assert.equal(metricValue(text, 'llm_requests_total{model="cut",provider="scripted",status="502"}'), 1);
      assert.equal(metricValue(text, 'llm_errors_total{error_type="not_found"}'), 1);
      assert.equal(metricValue(text, 'llm_errors_total{error_type="provider_unavailable"}'), 1);
      assert.equal(metricValue(text, 'llm_errors_total{error_type="stream_interrupted"}'), 1);
      assert.equal(metricValue(text, 'llm_tokens_total{type="input"}'), 20);
      assert.equal(metricValue(text, 'llm_tokens_total{type="cached_input"}'), 4);
      assert.equal(metricValue(text, 'llm_tokens_total{type="cache_write"}'), 2);
      assert.equal(metricValue(text, 'llm_tokens_total{type="reasoning"}'), 2);
      // 4 + 4 completed, plus the cut stream's 8 streamed characters estimated at 4 chars/token.
      assert.equal(metricValue(text, 'llm_tokens_total{type="output"}'), 10);
      assert.equal(metricValue(text, 'llm_cost_usd_total'), 0.5);
      assert.equal(metricValue(text, 'llm_active_requests'), 0);
      assert.equal(metricValue(text, 'llm_request_duration_seconds_count'), 5);
      assert.equal(metricValue(text, 'llm_time_to_first_token_seconds_count'), 2);
      assert.equal(metricValue(text, 'conduit_gateway_overhead_seconds_count'), 5);
      assert.ok(metricValue(text, 'conduit_gateway_overhead_seconds_bucket{le="0.00005"}') !== undefined);
      assert.ok(metricValue(text, 'conduit_gateway_overhead_seconds_bucket{le="0.01"}') !== undefined);
      assert.ok(text.includes('# TYPE llm_request_duration_seconds histogram'));
      assert.ok(text.includes('process_cpu_user_seconds_total'), 'default process metrics');
    } finally {
      await h.close();
    }
  });

  test('one log line per request with ids and timings; no prompt text, completion text or credentials', async () => {
    const chat = new ScriptedModel('scripted', 'c-1', { kind: 'reply', text: 'COMPLETION-TEXT-XYZ' });
    const h = await startGateway({ chat });
    try {
      const client = new OpenAI({ apiKey: 'sk-SECRET-KEY-123', baseURL: `${h.url}/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT' }] }, { headers: { 'x-request-id': 'log-test-1' } });
      const s = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT' }], stream: true });
      for await (const _ of s) void _;
      await eventually(() => h.logs.filter((l) => l.msg === 'request').length >= 2);
      const lines = h.logs.filter((l) => l.msg === 'request');
      assert.equal(lines.length, 2);
      const first = lines[0]!;
      assert.equal(first.reqId, 'log-test-1');
      assert.equal(first.route, 'chat_completions');
      assert.equal(first.model, 'chat');
      assert.equal(first.provider, 'scripted');
      assert.equal(first.status, 200);
      assert.equal(typeof first.durationMs, 'number');
      assert.equal(typeof first.overheadMs, 'number');
      assert.equal(lines[1]!.stream, true);
      const raw = h.logText();
      assert.ok(!raw.includes('SECRET-PROMPT-TEXT'), 'prompt text leaked into logs');
      assert.ok(!raw.includes('COMPLETION-TEXT-XYZ'), 'completion text leaked into logs');
      assert.ok(!raw.includes('sk-SECRET-KEY-123'), 'credential leaked into logs');
    } finally {
      await h.close();
    }
  });

  test('/ready: 200 when every dependency is up, 503 when one is down or the check throws', async () => {
    let state: Record<string, boolean | string> = { database: true, upstream: 'ok' };
    let throws = false;
    const h = await startGateway({}, {}, {
      readiness: () => (throws ? Promise.reject(new Error('probe crashed')) : Promise.resolve(state)),
    });
    try {
      let r = await fetch(`${h.url}/ready`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { status: 'ready', checks: { database: true, upstream: 'ok' } });
      state = { database: false, upstream: 'ok' };
      r = await fetch(`${h.url}/ready`);
      assert.equal(r.status, 503);
      assert.deepEqual(await r.json(), { status: 'not_ready', checks: { database: false, upstream: 'ok' } });
      state = { database: true, upstream: 'connection refused' };
      r = await fetch(`${h.url}/ready`);
      assert.equal(r.status, 503);
      throws = true;
      r = await fetch(`${h.url}/ready`);
      assert.equal(r.status, 503);
      assert.match(JSON.stringify(await r.json()), /probe crashed/);
      r = await fetch(`${h.url}/health`);
      assert.equal(r.status, 200);
    } finally {
      await h.close();
    }
  });
});

describe('client disconnect', () => {
  function startAndDrop(url: string, body: string, dropWhen: 'sent' | 'first-data'): Promise<void> {
    return new Promise((resolve) => {
      const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
        res.once('data', () => {
          if (dropWhen === 'first-data') {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', () => resolve());
      req.end(body, () => {
        if (dropWhen === 'sent') {
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 100);
        }
      });
    });
  }

  test('aborts the model call (JSON and mid-stream), counted as 499, active gauge back to 0', async () => {
    const hang = new ScriptedModel('scripted', 'h-1', { kind: 'hang', chunks: ['first '] });
    const h = await startGateway({ hang });
    try {
      await startAndDrop(h.url, JSON.stringify({ model: 'hang', messages: [{ role: 'user', content: 'x' }] }), 'sent');
      await eventually(() => hang.calls[0]?.aborted === true);
      assert.equal(hang.calls[0]!.method, 'generate');
      assert.ok(hang.calls[0]!.abortReason instanceof ConduitError && hang.calls[0]!.abortReason.kind === 'cancelled');

      await startAndDrop(h.url, JSON.stringify({ model: 'hang', messages: [{ role: 'user', content: 'x' }], stream: true }), 'first-data');
      await eventually(() => hang.calls[1]?.aborted === true);
      assert.equal(hang.calls[1]!.method, 'stream');

      await eventually(() => h.gateway.metrics.activeRequests === 0);
      const text = await metricsText(h.url);
      // The JSON call never learnt its provider; the stream did (from its start part).
      assert.equal(metricValue(text, 'llm_requests_total{model="hang",provider="none",status="499"}'), 1);
      assert.equal(metricValue(text, 'llm_requests_total{model="hang",provider="scripted",status="499"}'), 1);
      // "first " was streamed before the cut: counted (estimated) as output tokens.
      assert.equal(metricValue(text, 'llm_tokens_total{type="output"}'), 2);
      assert.equal(metricValue(text, 'llm_errors_total{error_type="cancelled"}'), 2);
    } finally {
      await h.close();
    }
  });
});
