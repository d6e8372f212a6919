/**
 * The bare hot path (OpenAI provider, non-streamed, behind withRetry as the registry builds it):
 * a client that hangs up, or a deadline that passes, must abort the real upstream HTTP call.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAIModel } from '../../src/models/providers/openai/index.js';
import { withRetry } from '../../src/middleware/retry.js';
import { startGateway, eventually, type Harness } from './harness.js';

describe('upstream cancellation on the non-streamed OpenAI path', () => {
  let upstream: http.Server;
  let origin = '';
  let started = 0;
  let closedEarly = 0;
  let h: Harness;

  before(async () => {
    upstream = http.createServer((req, res) => {
      started++;
      // Never answers: only the gateway can end this request, by aborting it.
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      req.resume();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const model = withRetry(createOpenAIModel({ modelId: 'gpt-4o-mini', apiKey: 'k', baseURL: `${origin}/v1` }), { maxRetries: 2 });
    h = await startGateway({ 'openai/gpt-4o-mini': model });
  });

  after(async () => {
    await h.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  const body = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

  test('a client that hangs up aborts the upstream call (499, no retry)', async () => {
    const before = { started, closedEarly };
    await new Promise<void>((resolve) => {
      const req = http.request(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false });
      req.on('error', () => resolve());
      req.end(body);
      const wait = setInterval(() => {
        if (started > before.started) {
          clearInterval(wait);
          req.destroy();
          resolve();
        }
      }, 5);
    });
    await eventually(() => closedEarly === before.closedEarly + 1);
    assert.equal(started, before.started + 1, 'a cancelled call is not retried');
    await eventually(() => h.logs.some((l) => l.msg === 'request' && l.status === 499));
  });

  test('x-conduit-deadline-ms aborts the upstream call and answers 504', async () => {
    const before = { started, closedEarly };
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-conduit-deadline-ms': '150' }, body });
    assert.equal(res.status, 504);
    const json = (await res.json()) as { error: { code: string } };
    assert.match(json.error.code, /deadline/);
    await eventually(() => closedEarly === before.closedEarly + 1);
    assert.equal(started, before.started + 1);
  });
});
