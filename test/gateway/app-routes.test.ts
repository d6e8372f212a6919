/** Route groups beyond the OpenAI surface: matched only for unknown paths, admitted, limited, closed with the gateway. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../src/core/errors.js';
import { pathSegments, queryOf, readJsonBody, type AppRoutes } from '../../src/gateway/app-routes.js';
import { startGateway } from './harness.js';

test('an app route group answers its paths, reads bounded JSON bodies and closes with the gateway', async () => {
  let closed = false;
  const group: AppRoutes = {
    name: 'echo',
    matches: (path) => path.startsWith('/v1/echo'),
    async handle(ctx, path) {
      const segments = pathSegments(path, '/v1/echo') ?? [];
      if (ctx.req.method === 'GET') {
        ctx.sendJson(200, JSON.stringify({ segments, q: queryOf(ctx).get('q') }));
        return;
      }
      const body = await readJsonBody(ctx);
      if (typeof body !== 'object' || body === null) throw new ConduitError('invalid_request', 'expected an object');
      ctx.sendJson(201, JSON.stringify({ got: body }));
    },
    close: async () => {
      closed = true;
    },
  };
  const h = await startGateway({}, {}, { appRoutes: [group], bodyLimitBytes: 64 });
  try {
    const get = await fetch(`${h.url}/v1/echo/a%20b/c?q=x`);
    assert.equal(get.status, 200);
    assert.ok(get.headers.get('x-request-id'));
    assert.deepEqual(await get.json(), { segments: ['a b', 'c'], q: 'x' });

    const post = await fetch(`${h.url}/v1/echo`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(post.status, 201);
    assert.deepEqual(await post.json(), { got: { a: 1 } });

    const bad = await fetch(`${h.url}/v1/echo`, { method: 'POST', body: '"just a string"' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { message: string } }).error.message, 'expected an object');

    const big = await fetch(`${h.url}/v1/echo`, { method: 'POST', body: JSON.stringify({ x: 'y'.repeat(200) }) });
    assert.equal(big.status, 413);

    const empty = await fetch(`${h.url}/v1/echo`, { method: 'POST' });
    assert.equal(empty.status, 400);

    // Paths the group does not claim still 404, and core routes are untouched.
    assert.equal((await fetch(`${h.url}/v1/other`)).status, 404);
    assert.equal((await fetch(`${h.url}/health`)).status, 200);
  } finally {
    await h.close();
  }
  assert.equal(closed, true);
});
