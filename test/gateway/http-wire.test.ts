/** Raw HTTP checks: exact SSE bytes, trailers, limits, malformed input, routes, headers on every response. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { ConduitError } from '../../src/core/errors.js';
import { ScriptedModel } from './scripted-model.js';
import { startGateway } from './harness.js';
import type { Harness } from './harness.js';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  body: string;
}

function request(url: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, chunked = false): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = http.request(u, { method, headers: { 'content-type': 'application/json', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined && chunked) {
      // No content-length: the gateway must stop at the limit while reading.
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
      for (let i = 0; i < buf.length; i += 16384) req.write(buf.subarray(i, i + 16384));
      req.end();
    } else req.end(body);
  });
}

function assertGatewayHeaders(r: RawResponse): void {
  assert.ok(typeof r.headers['x-request-id'] === 'string' && r.headers['x-request-id'].length > 0, 'x-request-id');
  assert.ok(typeof r.headers['x-conduit-provider'] === 'string', 'x-conduit-provider');
  assert.ok(typeof r.headers['x-conduit-cost-usd'] === 'string' || r.headers['trailer'] === 'x-conduit-cost-usd', 'x-conduit-cost-usd');
  assert.match(String(r.headers['x-conduit-overhead-ms']), /^\d+\.\d{3}$/);
}

const normalise = (s: string): string => s.replace(/"created":\d+/g, '"created":0');

describe('gateway wire format and limits', () => {
  let h: Harness;
  const sse = new ScriptedModel('scripted', 'm-1', { kind: 'reply', id: 'chatcmpl-fixed', chunks: ['Hel', 'lo'], costUsd: 0.5 });
  const hang = new ScriptedModel('scripted', 'hang-1', { kind: 'hang', ignoreAbort: true });
  const echo = new ScriptedModel('scripted', 'echo-1', { kind: 'reply', text: 'ok' });
  const bodies = new ScriptedModel('scripted', 'bodies-1', { kind: 'reply', text: 'ok' });

  before(async () => {
    h = await startGateway({ 'sse-model': sse, 'hang-model': hang, 'echo-model': echo, 'bodies-model': bodies }, {}, { bodyLimitBytes: 64 * 1024, maxJsonDepth: 16 });
  });
  after(() => h.close());

  test('SSE bytes match OpenAI exactly for a scripted text stream with usage', async () => {
    const r = await request(h.url, 'POST', '/v1/chat/completions', JSON.stringify({ model: 'sse-model', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }));
    assert.equal(r.status, 200);
    const head = '{"id":"chatcmpl-fixed","object":"chat.completion.chunk","created":0,"model":"m-1","system_fingerprint":null,"choices":';
    const expected =
      `data: ${head}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
      `data: ${head}[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
      `data: ${head}[{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
      `data: ${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n` +
      `data: ${head}[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"conduit":{"cost_usd":0.5,"provider":"scripted"}}\n\n` +
      'data: [DONE]\n\n';
    assert.equal(normalise(r.body), expected);
    assert.equal(r.headers['trailer'], 'x-conduit-cost-usd');
    assert.equal(r.trailers['x-conduit-cost-usd'], '0.5');
    assertGatewayHeaders(r);
  });

  test('SSE bytes for a streamed tool call without usage: id/type/name first, then argument fragments', async () => {
    sse.setScripts({ kind: 'reply', id: 'chatcmpl-fixed', chunks: [], toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }], argChunkSize: 4 });
    const r = await request(h.url, 'POST', '/v1/chat/completions', JSON.stringify({ model: 'sse-model', messages: [{ role: 'user', content: 'hi' }], stream: true }));
    const head = '{"id":"chatcmpl-fixed","object":"chat.completion.chunk","created":0,"model":"m-1","system_fingerprint":null,"choices":';
    const expected =
      `data: ${head}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n` +
      `data: ${head}[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}]}\n\n` +
      `data: ${head}[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\""}}]},"logprobs":null,"finish_reason":null}]}\n\n` +
      `data: ${head}[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"logprobs":null,"finish_reason":null}]}\n\n` +
      `data: ${head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}\n\n` +
      'data: [DONE]\n\n';
    assert.equal(normalise(r.body), expected);
    sse.setScripts({ kind: 'reply', id: 'chatcmpl-fixed', chunks: ['Hel', 'lo'], costUsd: 0.5 });
  });

  test('a stream cut after content ends with an error event and no [DONE]', async () => {
    sse.setScripts({ kind: 'error', error: new ConduitError('stream_interrupted', 'connection reset by upstream'), afterChunks: 1, text: 'abcdefgh' });
    const r = await request(h.url, 'POST', '/v1/chat/completions', JSON.stringify({ model: 'sse-model', messages: [{ role: 'user', content: 'hi' }], stream: true }));
    assert.equal(r.status, 200);
    const events = r.body.split('\n\n').filter((e) => e !== '');
    assert.equal(events.length, 3); // role, one content chunk, error
    assert.ok(events[1]!.includes('"content":"abcd"'));
    assert.equal(events[2], 'data: {"error":{"message":"connection reset by upstream","type":"upstream_error","param":null,"code":"stream_interrupted"}}');
    assert.ok(!r.body.includes('[DONE]'));
    sse.setScripts({ kind: 'reply', id: 'chatcmpl-fixed', chunks: ['Hel', 'lo'], costUsd: 0.5 });
  });

  test('bodies that arrive with their headers, after them, or in pieces on one keep-alive socket are all read whole', async () => {
    const { port } = new URL(h.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.setNoDelay(true);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    const responses = async (n: number): Promise<string[]> => {
      while ((received.match(/HTTP\/1\.1 /g) ?? []).length < n || !received.trimEnd().endsWith('}')) await new Promise((r) => setTimeout(r, 5));
      return received.split(/(?=HTTP\/1\.1 )/);
    };
    const before = bodies.calls.length;
    const body = (n: number) => JSON.stringify({ model: 'bodies-model', messages: [{ role: 'user', content: `message ${n} é` }] });
    const head = (b: string) => `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(b)}\r\n\r\n`;
    // 1: headers and body in one write (the buffered fast path).
    socket.write(head(body(1)) + body(1));
    await responses(1);
    // 2: headers first, the body 30 ms later.
    socket.write(head(body(2)));
    await new Promise((r) => setTimeout(r, 30));
    socket.write(body(2));
    await responses(2);
    // 3: headers with half the body, the rest later.
    const b3 = Buffer.from(body(3));
    socket.write(Buffer.concat([Buffer.from(head(body(3))), b3.subarray(0, 20)]));
    await new Promise((r) => setTimeout(r, 30));
    socket.write(b3.subarray(20));
    const all = await responses(3);
    socket.destroy();
    assert.equal(all.length, 3);
    for (const r of all) assert.match(r, /^HTTP\/1\.1 200 /);
    const seen = bodies.calls.slice(before).map((c) => JSON.stringify(c.request.messages));
    assert.deepEqual(seen, [1, 2, 3].map((n) => JSON.stringify([{ role: 'user', content: `message ${n} é` }])));
  });

  test('malformed JSON → 400 OpenAI-shaped error, model never called', async () => {
    const before = echo.calls.length;
    const r = await request(h.url, 'POST', '/v1/chat/completions', '{"model": "echo-model", "messages": [');
    assert.equal(r.status, 400);
    const body = JSON.parse(r.body) as { error: { message: string; type: string; param: unknown; code: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.code, 'invalid_json');
    assert.equal(body.error.param, null);
    assert.match(body.error.message, /not valid JSON/);
    assert.equal(echo.calls.length, before);
    assertGatewayHeaders(r);
  });

  test('invalid field types → 400 naming the parameter', async () => {
    const cases: [unknown, string][] = [
      [{ model: 'echo-model', messages: 'hi' }, 'messages'],
      [{ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature'],
      [{ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, 'temperature'],
      [{ model: 'echo-model', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], stop: [1] }, 'stop[0]'],
      [{ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }, 'tools[0]'],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
      [{ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }, 'stream_options'],
    ];
    for (const [body, param] of cases) {
      const r = await request(h.url, 'POST', '/v1/chat/completions', JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal((JSON.parse(r.body) as { error: { param: string } }).error.param, param);
    }
  });

  test('body over the limit → 413 (declared length and chunked), without the model being called', async () => {
    const big = JSON.stringify({ model: 'echo-model', messages: [{ role: 'user', content: 'x'.repeat(200 * 1024) }] });
    const r1 = await request(h.url, 'POST', '/v1/chat/completions', big);
    assert.equal(r1.status, 413);
    assert.equal((JSON.parse(r1.body) as { error: { code: string } }).error.code, 'request_too_large');
    assertGatewayHeaders(r1);
    const r2 = await request(h.url, 'POST', '/v1/chat/completions', big, {}, true);
    assert.equal(r2.status, 413);
    assert.equal(echo.calls.length, 0);
  });

  test('nesting deeper than the limit → 400', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const r = await request(h.url, 'POST', '/v1/chat/completions', JSON.stringify({ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], metadata: deep }));
    assert.equal(r.status, 400);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'nesting_too_deep');
    // Just inside the limit is fine.
    let ok: unknown = 'x';
    for (let i = 0; i < 10; i++) ok = { a: ok };
    const r2 = await request(h.url, 'POST', '/v1/chat/completions', JSON.stringify({ model: 'echo-model', messages: [{ role: 'user', content: 'x' }], metadata: ok }));
    assert.equal(r2.status, 200);
  });

  test('unknown route → 404, wrong method → 405 with Allow', async () => {
    const r404 = await request(h.url, 'GET', '/v1/nothing');
    assert.equal(r404.status, 404);
    assert.equal((JSON.parse(r404.body) as { error: { code: string } }).error.code, 'unknown_route');
    assertGatewayHeaders(r404);
    const r405 = await request(h.url, 'GET', '/v1/chat/completions');
    assert.equal(r405.status, 405);
    assert.equal(r405.headers['allow'], 'POST');
    assertGatewayHeaders(r405);
  });

  test('x-request-id: a valid one is echoed, an invalid one replaced', async () => {
    const body = JSON.stringify({ model: 'echo-model', messages: [{ role: 'user', content: 'x' }] });
    const r1 = await request(h.url, 'POST', '/v1/chat/completions', body, { 'x-request-id': 'trace-123.abc' });
    assert.equal(r1.headers['x-request-id'], 'trace-123.abc');
    const r2 = await request(h.url, 'POST', '/v1/chat/completions', body, { 'x-request-id': 'bad id with spaces' });
    assert.notEqual(r2.headers['x-request-id'], 'bad id with spaces');
    assert.match(String(r2.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  test('x-conduit-deadline-ms: passed on as deadlineAt; bad values → 400', async () => {
    const body = JSON.stringify({ model: 'echo-model', messages: [{ role: 'user', content: 'x' }] });
    const t = Date.now();
    const ok = await request(h.url, 'POST', '/v1/chat/completions', body, { 'x-conduit-deadline-ms': '30000' });
    assert.equal(ok.status, 200);
    const deadlineAt = echo.calls.at(-1)!.options?.deadlineAt;
    assert.ok(deadlineAt !== undefined && deadlineAt >= t + 29000 && deadlineAt <= Date.now() + 30000);
    for (const bad of ['0', '-5', 'soon', '1e12']) {
      const r = await request(h.url, 'POST', '/v1/chat/completions', body, { 'x-conduit-deadline-ms': bad });
      assert.equal(r.status, 400, bad);
      assert.equal((JSON.parse(r.body) as { error: { param: string } }).error.param, 'x-conduit-deadline-ms');
    }
  });

  test('deadline passes while the model hangs (even ignoring abort) → 504, and the model is aborted', async () => {
    const body = JSON.stringify({ model: 'hang-model', messages: [{ role: 'user', content: 'x' }] });
    const r = await request(h.url, 'POST', '/v1/chat/completions', body, { 'x-conduit-deadline-ms': '150' });
    assert.equal(r.status, 504);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'deadline_exceeded');
    assert.equal(hang.calls.at(-1)!.aborted, true);
    assertGatewayHeaders(r);
  });

  test('GET /health, /ready and /metrics carry the gateway headers too', async () => {
    for (const path of ['/health', '/ready', '/metrics', '/v1/models']) {
      const r = await request(h.url, 'GET', path);
      assert.equal(r.status, 200, path);
      assertGatewayHeaders(r);
      assert.equal(r.headers['x-conduit-provider'], 'none');
      assert.equal(r.headers['x-conduit-cost-usd'], '0');
    }
    assert.deepEqual(JSON.parse((await request(h.url, 'GET', '/health')).body), { status: 'ok' });
  });
});
