import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerFetch } from './provider-http.js';
import { rejectsWithKind } from '../../../test/support/conduit-errors.js';

let server: Server;
const base = await new Promise<string>((resolve) => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/ok') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echo: JSON.parse(body), auth: req.headers.authorization }));
      });
    } else if (url === '/rate') {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
      res.end('{"error":{"message":"slow down"}}');
    } else if (url === '/slow') {
      setTimeout(() => {
        res.writeHead(200);
        res.end('{}');
      }, 400);
    } else if (url === '/stall') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      // never writes again; the client's idle timeout must fire
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


test('posts JSON and reads JSON back', async () => {
  const res = await providerFetch({ ...common, url: `${base}/ok`, body: { a: 1 } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { echo: { a: 1 }, auth: 'Bearer k' });
});

test('maps an error status with Retry-After', async () => {
  const err = await rejectsWithKind(providerFetch({ ...common, url: `${base}/rate`, body: {} }), 'rate_limited');
  assert.equal(err.retryAfterMs, 3000);
  assert.equal(err.upstreamStatus, 429);
  assert.equal(err.retryable, true);
});

test('attempt timeout gives a retryable timeout error', async () => {
  const err = await rejectsWithKind(providerFetch({ ...common, url: `${base}/slow`, options: { attemptTimeoutMs: 50 } }), 'timeout');
  assert.equal(err.retryable, true);
});

test('a deadline already past fails before any I/O, not retryable', async () => {
  const err = await rejectsWithKind(providerFetch({ ...common, url: `${base}/ok`, body: {}, options: { deadlineAt: Date.now() - 1 } }), 'timeout');
  assert.equal(err.retryable, false);
});

test('a stalled stream hits the idle timeout after the first chunk', async () => {
  const res = await providerFetch({ ...common, url: `${base}/stall`, stream: true, idleTimeoutMs: 100 });
  const seen: string[] = [];
  await rejectsWithKind(
    (async () => {
      for await (const chunk of res.body) seen.push(Buffer.from(chunk).toString());
    })(),
    'timeout',
  );
  assert.deepEqual(seen, ['data: first\n\n']);
});

test('a reset connection is provider_unavailable', async () => {
  await rejectsWithKind(providerFetch({ ...common, url: `${base}/reset`, body: {} }), 'provider_unavailable');
});

test('caller abort is cancelled, not timeout', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  await rejectsWithKind(providerFetch({ ...common, url: `${base}/slow`, options: { signal: ac.signal } }), 'cancelled');
});

test('a 200 that is not JSON is a provider_error', async () => {
  const res = await providerFetch({ ...common, url: `${base}/notjson` });
  await rejectsWithKind(res.json(), 'provider_error');
});
