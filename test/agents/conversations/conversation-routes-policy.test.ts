/**
 * /v1/conversations behind a gateway policy: threads belong to the principal that created them,
 * and the reply's model call goes through the policy's `prepare` with the real assembled request.
 * The policy is a stub that authenticates by header, so this tests the routes, not the key service.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import type { KeyPrincipal } from '../../../src/auth/principal.js';
import type { GatewayPolicy } from '../../../src/gateway/policy/gateway-policy.js';
import type { ModelRequest } from '../../../src/models/language-model.js';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { createSqlConversationStore } from '../../../src/agents/conversations/sql-conversation-store.js';
import { createConversationRoutes } from '../../../src/agents/http/conversation-routes.js';
import { reply, ScriptedModel } from '../../support/scripted-model.js';
import { startGateway, type Harness } from '../../gateway/harness.js';

function principal(user: string, allowedModels: KeyPrincipal['allowedModels'] = 'all'): KeyPrincipal {
  return { kind: 'key', keyId: `k-${user}`, keyName: user, allowedModels, admin: false, limits: {}, budgets: [], guardrails: null, metadata: {} } as KeyPrincipal;
}

describe('conversation routes behind a policy', () => {
  let gateway: Harness;
  let db: SqlDatabase;
  const model = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o-mini', whenEmpty: reply('ok') });
  const prepared: { requested: string; request: ModelRequest }[] = [];

  const policy: GatewayPolicy = {
    async admit(ctx) {
      const user = ctx.req.headers['x-test-user'];
      if (typeof user !== 'string') throw new ConduitError('authentication', 'no user');
      ctx.principal = principal(user, user === 'limited' ? ['other-model'] : 'all');
    },
    async prepare(_ctx, requested, m, request) {
      prepared.push({ requested, request });
      return m;
    },
    async prepareEmbedding(_ctx, _requested, m) {
      return m;
    },
  };

  before(async () => {
    db = await openPGliteDatabase();
    gateway = await startGateway({ fast: model }, {}, { appRoutes: [createConversationRoutes({ store: await createSqlConversationStore({ db }) })], policy });
  });
  after(async () => {
    await gateway.close();
    await db.close();
  });

  const call = (user: string | undefined, method: string, path: string, body?: unknown) =>
    fetch(`${gateway.url}${path}`, { method, headers: { ...(user === undefined ? {} : { 'x-test-user': user }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  test('a thread is visible only to its creator; others get 404 and cannot post to it', async () => {
    const { id } = (await (await call('alice', 'POST', '/v1/conversations', {})).json()) as { id: string };
    assert.equal((await call('alice', 'GET', `/v1/conversations/${id}`)).status, 200);
    assert.equal((await call('bob', 'GET', `/v1/conversations/${id}`)).status, 404);
    const before = model.callCount;
    assert.equal((await call('bob', 'POST', `/v1/conversations/${id}/messages`, { content: 'hi' })).status, 404);
    assert.equal(model.callCount, before);
    assert.equal((await call(undefined, 'GET', `/v1/conversations/${id}`)).status, 401);
  });

  test('the reply call passes the policy with the assembled request; a model the key may not use is refused before anything is stored', async () => {
    const { id } = (await (await call('alice', 'POST', '/v1/conversations', { system: 'Be nice.' })).json()) as { id: string };
    await call('alice', 'POST', `/v1/conversations/${id}/messages`, { content: 'first' });
    prepared.length = 0;
    const res = await call('alice', 'POST', `/v1/conversations/${id}/messages`, { content: 'second' });
    assert.equal(res.status, 200);
    assert.equal(prepared.length, 1);
    assert.equal(prepared[0]!.requested, 'fast');
    assert.deepEqual(prepared[0]!.request.messages.map((m) => m.content), ['Be nice.', 'first', 'ok', 'second']);

    const { id: limitedThread } = (await (await call('limited', 'POST', '/v1/conversations', {})).json()) as { id: string };
    const refused = await call('limited', 'POST', `/v1/conversations/${limitedThread}/messages`, { content: 'hi' });
    assert.equal(refused.status, 403);
    const thread = (await (await call('limited', 'GET', `/v1/conversations/${limitedThread}`)).json()) as { messages: unknown[] };
    assert.equal(thread.messages.length, 0);
  });
});
