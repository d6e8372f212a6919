/**
 * End to end failover: the official `openai` client → `conduit serve` → aliases whose first
 * deployment fails in every way the reliability layer must survive, over real HTTP.
 *
 * Before commit (no content sent yet) every failure point is invisible: the client gets ONE clean
 * response or stream, served by the next deployment. After commit (content already sent) a failure
 * cannot be hidden: the stream ends with an explicit error and never with `[DONE]`.
 *
 * Each failure point has its own alias, so one deployment's circuit breaker (5 consecutive
 * failures) never leaks from one test into the next.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import { startFakeAnthropic } from '../fake-upstream/anthropic-upstream.js';
import type { FakeUpstream } from '../fake-upstream/fake-upstream.js';
import type { Scenario } from '../fake-upstream/scenario.js';
import { startConduit, type ConduitProcess } from './support/conduit-process.js';
import { metricValue, modelCalls, readAllText, sseEvents } from './support/fakes.js';

/**
 * Short, so the suite stays fast, yet well above what a healthy loopback upstream needs even on a
 * loaded 2-core machine (the healthy second deployment runs under the same timeout).
 */
const ATTEMPT_TIMEOUT_MS = 700;
const STREAM_IDLE_TIMEOUT_MS = 700;
/** Far beyond the attempt timeout: the slow deployment must be abandoned, not waited for. */
const SLOW_FIRST_BYTE_MS = 5000;

const A_TEXT = 'Served by deployment A.';
const B_TEXT = 'Served by deployment B.';
const CLAUDE_TEXT = 'Served by the Anthropic deployment.';

interface FailurePoint {
  name: string;
  /** What deployment A does; undefined: A is a closed port (connect error). */
  fault?: Scenario;
  /** JSON, stream, or both. */
  modes: ('json' | 'stream')[];
}

const FAILURE_POINTS: FailurePoint[] = [
  { name: 'connect-error', modes: ['json', 'stream'] },
  { name: 'status-500', fault: { kind: 'error', status: 500, message: 'The server had an error', type: 'server_error' }, modes: ['json', 'stream'] },
  { name: 'status-503', fault: { kind: 'error', status: 503, message: 'The server is overloaded', type: 'server_error' }, modes: ['json', 'stream'] },
  { name: 'connection-reset', fault: { kind: 'fault', fault: { type: 'connection-reset' } }, modes: ['json', 'stream'] },
  { name: 'slow-first-byte', fault: { kind: 'fault', fault: { type: 'slow-first-byte', delayMs: SLOW_FIRST_BYTE_MS }, then: { kind: 'reply', text: A_TEXT } }, modes: ['json', 'stream'] },
  // Headers and the role chunk arrive, then silence: a stall before the first content chunk.
  { name: 'stall-before-first-chunk', fault: { kind: 'fault', fault: { type: 'stall-after-chunks', chunks: 0 }, then: { kind: 'reply', text: A_TEXT } }, modes: ['json', 'stream'] },
  { name: 'malformed-json', fault: { kind: 'fault', fault: { type: 'malformed-json' } }, modes: ['json', 'stream'] },
  { name: 'in-band-error-before-content', fault: { kind: 'fault', fault: { type: 'in-band-error-after-chunks', chunks: 0, message: 'overloaded' } }, modes: ['stream'] },
];

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

const failoverSettings = { strategy: 'ordered', max_retries: 0, timeout_ms: ATTEMPT_TIMEOUT_MS, stream_idle_timeout_ms: STREAM_IDLE_TIMEOUT_MS };

describe('e2e: failover through conduit serve', () => {
  let upA: FakeOpenAI;
  let upB: FakeOpenAI;
  let claude: FakeUpstream;
  /** Deployment A of the circuit-breaker alias: always 500, and only that alias uses it. */
  let upBroken: FakeOpenAI;
  let conduit: ConduitProcess;
  let client: OpenAI;

  before(async () => {
    upA = await startFakeOpenAI({ defaultText: A_TEXT });
    upB = await startFakeOpenAI({ defaultText: B_TEXT });
    claude = await startFakeAnthropic({ scenarios: () => ({ kind: 'reply', text: CLAUDE_TEXT }) });
    upBroken = await startFakeOpenAI({ scenarios: () => ({ kind: 'error', status: 500, message: 'always broken', type: 'server_error' }) });
    const deadURL = `http://127.0.0.1:${await closedPort()}/v1`;

    const models: Record<string, unknown> = {};
    for (const point of FAILURE_POINTS) {
      models[`fo-${point.name}`] =
        point.fault === undefined
          ? // Two OpenAI deployments on two upstreams; the first is not listening.
            { ...failoverSettings, deployments: [{ model: 'openai/gpt-4o-mini', base_url: deadURL, id: 'dead' }, { model: 'openai/gpt-4o-mini', base_url: upB.url, id: 'b' }] }
          : // Across providers: OpenAI first, Anthropic second.
            { ...failoverSettings, deployments: [{ model: 'openai/gpt-4o-mini', id: 'a' }, { model: 'anthropic/claude-sonnet-4-5', id: 'claude' }] };
    }
    // An ordered fallback chain across providers (rather than two deployments of one alias).
    models['fo-chain'] = { ...failoverSettings, deployments: [{ model: 'openai/gpt-4o-mini' }], fallbacks: ['anthropic/claude-sonnet-4-5'] };
    models['commit-cut'] = { ...failoverSettings, deployments: [{ model: 'openai/gpt-4o-mini', id: 'a' }, { model: 'anthropic/claude-sonnet-4-5', id: 'claude' }] };
    models['commit-stall'] = { ...failoverSettings, deployments: [{ model: 'openai/gpt-4o-mini', id: 'a' }, { model: 'anthropic/claude-sonnet-4-5', id: 'claude' }] };
    models['breaker'] = { ...failoverSettings, deployments: [{ model: 'openai/gpt-4o-mini', base_url: upBroken.url, id: 'broken' }, { model: 'anthropic/claude-sonnet-4-5', id: 'claude' }] };

    conduit = await startConduit({
      server: { host: '127.0.0.1', port: 0 },
      providers: {
        openai: { api_key: 'sk-upstream-openai', base_url: upA.url },
        anthropic: { api_key: 'sk-ant-upstream', base_url: claude.url },
      },
      models,
      reliability: {
        max_retries: 2,
        attempt_timeout_ms: 10_000,
        circuit_breaker: { failure_threshold: 5, cooldown_ms: 60_000 },
        // Off: periodic checks would add upstream calls the request counts below must not see.
        health_check_interval_ms: 0,
      },
      logging: { level: 'warn' },
    });
    client = new OpenAI({ apiKey: 'sk-client', baseURL: `${conduit.url}/v1`, maxRetries: 0, timeout: 20_000 });
  });

  after(async () => {
    await conduit?.stop();
    await Promise.all([upA?.close(), upB?.close(), claude?.close(), upBroken?.close()]);
  });

  describe('before commit: one clean response from the next deployment', () => {
    for (const point of FAILURE_POINTS) {
      const alias = `fo-${point.name}`;
      const expected = point.fault === undefined ? { provider: 'openai', text: B_TEXT, served: () => upB } : { provider: 'anthropic', text: CLAUDE_TEXT, served: () => claude };

      if (point.modes.includes('json')) {
        test(`${point.name}, JSON`, async () => {
          if (point.fault) upA.enqueue(point.fault);
          const aBefore = modelCalls(upA).length;
          const servedBefore = modelCalls(expected.served()).length;
          const { data, response } = await client.chat.completions.create({ model: alias, messages: [{ role: 'user', content: 'hi' }], max_tokens: 32 }).withResponse();
          assert.equal(response.status, 200);
          assert.equal(response.headers.get('x-conduit-provider'), expected.provider);
          assert.equal(data.choices[0]!.message.content, expected.text);
          assert.equal(data.choices[0]!.finish_reason, 'stop');
          if (point.fault) assert.equal(modelCalls(upA).length, aBefore + 1, 'deployment A was tried exactly once');
          assert.equal(modelCalls(expected.served()).length, servedBefore + 1, 'the next deployment served it');
        });
      }

      if (point.modes.includes('stream')) {
        test(`${point.name}, stream`, async () => {
          if (point.fault) upA.enqueue(point.fault);
          const aBefore = modelCalls(upA).length;
          const { data: stream, response } = await client.chat.completions
            .create({ model: alias, messages: [{ role: 'user', content: 'hi' }], max_tokens: 32, stream: true, stream_options: { include_usage: true } })
            .withResponse();
          assert.equal(response.status, 200);
          assert.equal(response.headers.get('x-conduit-provider'), expected.provider);
          const chunks: OpenAI.ChatCompletionChunk[] = [];
          for await (const chunk of stream) chunks.push(chunk);
          assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), expected.text);
          // One stream, not two glued together: a single role chunk and a single finish.
          assert.equal(chunks.filter((c) => c.choices[0]?.delta.role === 'assistant').length, 1);
          assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason).length, 1);
          assert.ok(chunks.at(-1)!.usage, 'the usage chunk closes the stream');
          if (point.fault) assert.equal(modelCalls(upA).length, aBefore + 1, 'deployment A was tried exactly once');
        });
      }
    }

    test('fallback chain across providers: OpenAI 500 → anthropic/claude-sonnet-4-5', async () => {
      upA.enqueue({ kind: 'error', status: 500, message: 'boom', type: 'server_error' });
      upA.enqueue({ kind: 'fault', fault: { type: 'connection-reset' } });
      const json = await client.chat.completions.create({ model: 'fo-chain', messages: [{ role: 'user', content: 'hi' }], max_tokens: 32 }).withResponse();
      assert.equal(json.response.headers.get('x-conduit-provider'), 'anthropic');
      assert.equal(json.data.choices[0]!.message.content, CLAUDE_TEXT);

      const { data: stream, response } = await client.chat.completions.create({ model: 'fo-chain', messages: [{ role: 'user', content: 'hi' }], max_tokens: 32, stream: true }).withResponse();
      assert.equal(response.headers.get('x-conduit-provider'), 'anthropic');
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      assert.equal(text, CLAUDE_TEXT);
    });
  });

  describe('after commit: first chunks, then an explicit error, never [DONE]', () => {
    const chunks = ['alpha ', 'beta ', 'gamma ', 'delta'];
    const cases = [
      { name: 'cut after 2 chunks', alias: 'commit-cut', fault: { kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks } } as Scenario },
      { name: 'stall after 2 chunks', alias: 'commit-stall', fault: { kind: 'fault', fault: { type: 'stall-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks } } as Scenario },
    ];
    for (const c of cases) {
      test(`${c.name}: the openai client's stream iterator throws after the first chunks`, async () => {
        upA.enqueue(c.fault);
        const claudeBefore = modelCalls(claude).length;
        const stream = await client.chat.completions.create({ model: c.alias, messages: [{ role: 'user', content: 'hi' }], stream: true });
        let text = '';
        await assert.rejects(
          (async () => {
            for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
          })(),
          (err: unknown) => {
            assert.ok(err instanceof OpenAI.APIError, `got ${String(err)}`);
            assert.match(err.message, /interrupted|stall|terminated|closed|socket|ended/i);
            return true;
          },
        );
        assert.equal(text, 'alpha beta ');
        assert.equal(modelCalls(claude).length, claudeBefore, 'no failover after content was sent');
      });

      test(`${c.name}: raw SSE bytes end with an error event and no [DONE]`, async () => {
        upA.enqueue(c.fault);
        const res = await fetch(`${conduit.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
          body: JSON.stringify({ model: c.alias, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-conduit-provider'), 'openai');
        const { text: raw } = await readAllText(res);
        assert.ok(!raw.includes('[DONE]'), `no [DONE] in:\n${raw}`);
        const events = sseEvents(raw);
        const payloads = events.map((e) => JSON.parse(e.data) as { choices?: { delta?: { content?: string } }[]; error?: { message: string; type: string } });
        assert.equal(payloads.map((p) => p.choices?.[0]?.delta?.content ?? '').join(''), 'alpha beta ');
        const last = payloads.at(-1)!;
        assert.ok(last.error, `the last event is an error: ${events.at(-1)?.data}`);
        assert.ok(last.error.message.length > 0);
        assert.equal(payloads.filter((p) => p.error).length, 1);
      });
    }
  });

  test('circuit breaker: after 5 consecutive failures deployment A is no longer called', async () => {
    const reached = (): number => modelCalls(upBroken).length;
    for (let i = 1; i <= 5; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'breaker', messages: [{ role: 'user', content: `try ${i}` }] }).withResponse();
      assert.equal(response.headers.get('x-conduit-provider'), 'anthropic');
      assert.equal(data.choices[0]!.message.content, CLAUDE_TEXT);
      assert.equal(reached(), i, `request ${i} tried A first`);
    }
    for (let i = 6; i <= 8; i++) {
      const { data, response } = await client.chat.completions.create({ model: 'breaker', messages: [{ role: 'user', content: `try ${i}` }] }).withResponse();
      assert.equal(response.headers.get('x-conduit-provider'), 'anthropic');
      assert.equal(data.choices[0]!.message.content, CLAUDE_TEXT);
    }
    assert.equal(reached(), 5, 'the open circuit kept requests 6–8 away from A');
    // The alias stays ready: its second deployment is healthy and its circuit closed.
    const ready = (await (await fetch(`${conduit.url}/ready`)).json()) as { checks: Record<string, unknown> };
    assert.equal(ready.checks['alias:breaker'], true, JSON.stringify(ready));
  });

  test('x-conduit-deadline-ms shorter than the upstream\'s first byte → 504 within about the deadline', async () => {
    upA.enqueue({ kind: 'fault', fault: { type: 'slow-first-byte', delayMs: 4000 } });
    const started = Date.now();
    const res = await fetch(`${conduit.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k', 'x-conduit-deadline-ms': '300' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const elapsed = Date.now() - started;
    assert.equal(res.status, 504);
    const body = (await res.json()) as { error: { type: string; code: string; message: string } };
    assert.equal(body.error.type, 'timeout_error');
    assert.match(body.error.code, /deadline/);
    assert.ok(elapsed >= 250, `answered after ${elapsed} ms: not before the deadline`);
    assert.ok(elapsed < 2500, `answered after ${elapsed} ms: long before the upstream's 4 s`);

    // Through the openai client, streamed: the same 504 before any byte of the stream.
    upA.enqueue({ kind: 'fault', fault: { type: 'slow-first-byte', delayMs: 4000 } });
    await assert.rejects(
      client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }, { headers: { 'x-conduit-deadline-ms': '300' } }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError, `got ${String(err)}`);
        assert.equal(err.status, 504);
        return true;
      },
    );
  });

  test('GET /metrics: requests by provider, and the failures by error type', async () => {
    const text = await (await fetch(`${conduit.url}/metrics`)).text();
    // Every failover above was a 200 served by the second deployment, labelled with ITS provider.
    assert.equal(metricValue(text, 'llm_requests_total', { model: 'fo-status-500', provider: 'anthropic', status: '200' }), 2);
    assert.equal(metricValue(text, 'llm_requests_total', { model: 'fo-connect-error', provider: 'openai', status: '200' }), 2);
    assert.equal(metricValue(text, 'llm_requests_total', { model: 'breaker', provider: 'anthropic', status: '200' }), 8);
    assert.equal(metricValue(text, 'llm_requests_total', { model: 'fo-status-500', provider: 'openai' }), undefined, 'a hidden failure is not a request of its own');
    // The cut and stalled streams: 200 on the wire, counted as failed requests.
    assert.equal(metricValue(text, 'llm_errors_total', { error_type: 'stream_interrupted' }), 4, 'two cut and two stalled streams');
    assert.ok((metricValue(text, 'llm_errors_total', { error_type: 'timeout' }) ?? 0) >= 2, 'the two deadline failures');
    assert.ok((metricValue(text, 'llm_requests_total', { status: '504' }) ?? 0) >= 2);
    assert.match(text, /llm_time_to_first_token_seconds_count \d+/);
  });
});
