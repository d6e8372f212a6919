import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerFetchJson } from './provider-fetch-json.js';
import { ConduitError } from '../../core/errors.js';
import { rejectsWithKind } from '../../../test/support/conduit-errors.js';

let server: Server;
let aborted = 0;
const base = await new Promise<string>((resolve) => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/ok?x=1') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echo: JSON.parse(body), auth: req.headers.authorization, extra: req.headers['x-extra'], type: req.headers['content-type'], method: req.method }));
      });
    } else if (url === '/chunked') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('\uFEFF{"a":');
      setTimeout(() => res.end('[1,2,"é"]}'), 20);
    } else if (url === '/rate') {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
      res.end('{"error":{"message":"slow down"}}');
    } else if (url === '/slow') {
      res.on('close', () => {
        if (!res.writableFinished) aborted++;
      });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200);
        res.end('{}');
      }, 400);
    } else if (url === '/reset') {
      req.socket.destroy();
    } else if (url === '/notjson') {
      res.writeHead(200);
      res.end('<html>');
    }
  }).listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const common = { provider: 'test', model: 'm', headers: { authorization: 'Bearer k' } };


test('posts JSON with the provider and call headers and resolves to the parsed body', async () => {
  const first = await providerFetchJson({ ...common, url: `${base}/ok?x=1`, body: { a: 1 } });
  assert.deepEqual(first, { echo: { a: 1 }, auth: 'Bearer k', type: 'application/json', method: 'POST' });
  // Per-call headers join (and may override) the provider's; the cached header list is not reused for them.
  const second = await providerFetchJson({ ...common, url: `${base}/ok?x=1`, body: { b: 2 }, options: { headers: { 'x-extra': 'yes', authorization: 'Bearer other' } } });
  assert.deepEqual(second, { echo: { b: 2 }, auth: 'Bearer other', extra: 'yes', type: 'application/json', method: 'POST' });
});

test('joins a body sent in several chunks and drops a byte order mark', async () => {
  assert.deepEqual(await providerFetchJson({ ...common, url: `${base}/chunked`, body: {} }), { a: [1, 2, 'é'] });
});

test('maps an error status with Retry-After through the default mapping and a custom one', async () => {
  const err = await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/rate`, body: {} }), 'rate_limited');
  assert.equal(err.retryAfterMs, 3000);
  assert.equal(err.upstreamStatus, 429);
  let seen: { status: number; retryAfter: unknown; text: string } | undefined;
  await rejectsWithKind(
    providerFetchJson({
      ...common,
      url: `${base}/rate`,
      body: {},
      mapError: (status, headers, text) => {
        seen = { status, retryAfter: headers['retry-after'], text };
        return new ConduitError('provider_error', 'mapped');
      },
    }),
    'provider_error',
  );
  assert.deepEqual(seen, { status: 429, retryAfter: '3', text: '{"error":{"message":"slow down"}}' });
});

test('attempt timeout gives a retryable timeout error and aborts the upstream call', async () => {
  const before = aborted;
  const err = await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/slow`, body: {}, options: { attemptTimeoutMs: 50 } }), 'timeout');
  assert.equal(err.retryable, true);
  assert.match(err.message, /attempt timed out after 50 ms/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(aborted, before + 1);
});

test('a deadline gives a timeout that is not retryable; one already past fails before any I/O', async () => {
  const before = aborted;
  const err = await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/slow`, body: {}, options: { deadlineAt: Date.now() + 50 } }), 'timeout');
  assert.equal(err.retryable, false);
  assert.match(err.message, /request deadline exceeded/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(aborted, before + 1);
  const past = await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/ok?x=1`, body: {}, options: { deadlineAt: Date.now() - 1 } }), 'timeout');
  assert.match(past.message, /before the call/);
});

test('caller abort is cancelled (during the call and before it), and aborts the upstream call', async () => {
  const before = aborted;
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/slow`, body: {}, options: { signal: ac.signal } }), 'cancelled');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(aborted, before + 1);
  await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/ok?x=1`, body: {}, options: { signal: ac.signal } }), 'cancelled');
});

test('a reset connection is provider_unavailable; a 200 that is not JSON is a provider_error', async () => {
  await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/reset`, body: {} }), 'provider_unavailable');
  const err = await rejectsWithKind(providerFetchJson({ ...common, url: `${base}/notjson`, body: {} }), 'provider_error');
  assert.equal(err.upstreamStatus, 200);
});
