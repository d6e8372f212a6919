import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerFetchStream } from './provider-fetch-stream.js';
import { ConduitError } from '../../core/errors.js';
import { rejectsWithKind } from '../../../test/support/conduit-errors.js';

let server: Server;
/** Responses the client abandoned before they finished, per path. */
const abandoned = new Map<string, number>();
/** How many bytes the /big response managed to write before the client paused it, sampled after a delay. */
let bigWritten = 0;
const BIG_CHUNK = Buffer.alloc(64 * 1024, 120);
const BIG_CHUNKS = 512; // 32 MiB in all: more than loopback socket buffers hold

const base = await new Promise<string>((resolve) => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    res.on('close', () => {
      if (!res.writableFinished) abandoned.set(url, (abandoned.get(url) ?? 0) + 1);
    });
    if (url === '/sse') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-upstream': 'yes' });
        res.write(`data: ${JSON.stringify({ echo: JSON.parse(body), auth: req.headers.authorization })}\n\n`);
        setTimeout(() => res.end('data: [DONE]\n\n'), 10);
      });
    } else if (url === '/rate') {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
      res.end('{"error":{"message":"slow down"}}');
    } else if (url === '/stall-after-first') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
    } else if (url === '/slow-headers') {
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200);
        res.end('data: late\n\n');
      }, 400);
    } else if (url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: early\n\n');
      setTimeout(() => res.end('data: [DONE]\n\n'), 250);
    } else if (url === '/cut') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: partial\n\n');
      setTimeout(() => req.socket.destroy(), 20);
    } else if (url === '/endless') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('data: tick\n\n'), 5);
      res.on('close', () => clearInterval(timer));
    } else if (url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let i = 0;
      const pump = (): void => {
        while (i < BIG_CHUNKS) {
          i++;
          bigWritten += BIG_CHUNK.length;
          if (!res.write(BIG_CHUNK)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    }
  }).listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const common = { provider: 'test', model: 'm', headers: { authorization: 'Bearer k' } };


async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of body) text += Buffer.from(chunk).toString('utf8');
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('posts JSON, resolves at the headers, and yields the body chunks to the end', async () => {
  const res = await providerFetchStream({ ...common, url: `${base}/sse`, body: { hello: 'world' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-upstream'], 'yes');
  const text = await readAll(res.body);
  assert.equal(text, `data: ${JSON.stringify({ echo: { hello: 'world' }, auth: 'Bearer k' })}\n\ndata: [DONE]\n\n`);
  // Read to the end: further reads stay done.
  assert.deepEqual(await res.body.next(), { done: true, value: undefined });
});

test('an error status rejects with the mapped error after reading its body', async () => {
  const err = await rejectsWithKind(providerFetchStream({ ...common, url: `${base}/rate`, body: {} }), 'rate_limited');
  assert.equal(err.retryAfterMs, 3000);
  const custom = await rejectsWithKind(
    providerFetchStream({
      ...common,
      url: `${base}/rate`,
      body: {},
      mapError: (status, headers, text) => new ConduitError('invalid_request', `custom ${status} ${String(headers['retry-after'])} ${text}`),
    }),
    'invalid_request',
  );
  assert.equal(custom.message, 'custom 429 3 {"error":{"message":"slow down"}}');
});

test('a stalled body fails the iterator with a stall timeout (the idle timeout)', async () => {
  const res = await providerFetchStream({ ...common, url: `${base}/stall-after-first`, body: {}, idleTimeoutMs: 150 });
  const first = await res.body.next();
  assert.equal(Buffer.from(first.value as Uint8Array).toString(), 'data: one\n\n');
  const err = await rejectsWithKind(res.body.next(), 'timeout');
  assert.match(err.message, /stalled/);
});

test('the attempt timeout covers only the wait for headers', async () => {
  const err = await rejectsWithKind(providerFetchStream({ ...common, url: `${base}/slow-headers`, body: {}, options: { attemptTimeoutMs: 100 } }), 'timeout');
  assert.match(err.message, /attempt timed out after 100 ms/);
  // Headers within the attempt timeout: the body may then take longer than it.
  const res = await providerFetchStream({ ...common, url: `${base}/slow-body`, body: {}, options: { attemptTimeoutMs: 100 } });
  assert.equal(await readAll(res.body), 'data: early\n\ndata: [DONE]\n\n');
});

test('a cut connection after the headers fails the iterator as provider_unavailable, after the data that arrived', async () => {
  const res = await providerFetchStream({ ...common, url: `${base}/cut`, body: {} });
  const first = await res.body.next();
  assert.equal(Buffer.from(first.value as Uint8Array).toString(), 'data: partial\n\n');
  await rejectsWithKind(res.body.next(), 'provider_unavailable');
});

test('caller abort mid-stream is cancelled and stops the upstream response', async () => {
  const controller = new AbortController();
  const res = await providerFetchStream({ ...common, url: `${base}/endless`, body: {}, options: { signal: controller.signal } });
  await res.body.next();
  const before = abandoned.get('/endless') ?? 0;
  controller.abort();
  await rejectsWithKind(res.body.next(), 'cancelled');
  await sleep(50);
  assert.equal(abandoned.get('/endless'), before + 1);
});

test('a deadline mid-stream is a non-retryable timeout; one already past fails before any I/O', async () => {
  const res = await providerFetchStream({ ...common, url: `${base}/endless`, body: {}, options: { deadlineAt: Date.now() + 80 } });
  let err: ConduitError | undefined;
  try {
    for await (const chunk of res.body) void chunk;
  } catch (e) {
    err = e as ConduitError;
  }
  assert.ok(err instanceof ConduitError);
  assert.equal(err.kind, 'timeout');
  assert.equal(err.retryable, false);
  const past = await rejectsWithKind(providerFetchStream({ ...common, url: `${base}/sse`, body: {}, options: { deadlineAt: Date.now() - 1 } }), 'timeout');
  assert.match(past.message, /before the call/);
});

test('returning early aborts an unfinished body; a finished one is left alone', async () => {
  const res = await providerFetchStream({ ...common, url: `${base}/endless`, body: {} });
  const before = abandoned.get('/endless') ?? 0;
  for await (const chunk of res.body) {
    void chunk;
    break;
  }
  await sleep(50);
  assert.equal(abandoned.get('/endless'), before + 1);

  const done = await providerFetchStream({ ...common, url: `${base}/sse`, body: {} });
  assert.match(await readAll(done.body), /\[DONE\]/);
  assert.deepEqual(await done.body.return?.(), { done: true, value: undefined });
  assert.equal(abandoned.get('/sse'), undefined);
});

test('a consumer that does not read pauses the upstream instead of buffering the whole body', async () => {
  bigWritten = 0;
  const res = await providerFetchStream({ ...common, url: `${base}/big`, body: {} });
  await sleep(200);
  const total = BIG_CHUNKS * BIG_CHUNK.length;
  // The queue stops at its high-water mark (256 KiB); kernel socket buffers hold some more, but far from all 32 MiB.
  assert.ok(bigWritten < total / 2, `upstream wrote ${bigWritten} of ${total} bytes while nobody read`);
  let read = 0;
  for await (const chunk of res.body) read += chunk.length;
  assert.equal(read, total);
});
