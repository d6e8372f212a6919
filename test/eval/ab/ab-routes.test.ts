/** The A/B routes through a real gateway: assignment per user, recording, feedback, admin-only analysis. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { ScriptedModel, fail, reply } from '../../support/scripted-model.js';
import { createAbRoutes } from '../../../src/eval/ab/ab-routes.js';
import { defineExperiments } from '../../../src/eval/ab/experiment.js';
import { assignArm } from '../../../src/eval/ab/assignment.js';
import { openExperimentStore } from '../../../src/eval/ab/experiment-store.js';
import { createPromptRegistry } from '../../../src/prompting/registry.js';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import type { GatewayPolicy } from '../../../src/gateway/policy/gateway-policy.js';

const experiments = defineExperiments([
  { id: 'triage-prompt', variants: [{ id: 'registry', share: 50, prompt: 'support/triage@1.1.0', model: 'model-b' }], min_samples_per_arm: 5 },
]);
const experiment = experiments.get('triage-prompt')!;

/** The gateway's policy seam, reduced to "Bearer master is the admin": enough to test admin-only routes. */
const masterOnlyPolicy: GatewayPolicy = {
  async admit(ctx) {
    if (ctx.req.headers.authorization === 'Bearer master') ctx.principal = { kind: 'master', admin: true, allowedModels: 'all' };
  },
  prepare: async (_ctx, _requested, model) => model,
  prepareEmbedding: async (_ctx, _requested, model) => model,
};

describe('A/B routes', () => {
  let h: Harness;
  let db: SqlDatabase;
  const modelA = new ScriptedModel({ modelId: 'model-a', whenEmpty: reply('answer A', { usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.001 }) });
  const modelB = new ScriptedModel({ modelId: 'model-b', whenEmpty: reply('answer B', { usage: { inputTokens: 40, outputTokens: 8 }, costUsd: 0.003 }) });

  before(async () => {
    db = await openPGliteDatabase();
    const store = openExperimentStore(db);
    const prompts = createPromptRegistry({ root: fileURLToPath(new URL('../../../prompts', import.meta.url)) });
    h = await startGateway({ 'model-a': modelA, 'model-b': modelB }, {}, { policy: masterOnlyPolicy, appRoutes: [createAbRoutes({ experiments, store: () => store, prompts })] });
  });
  after(async () => {
    await h.close();
    await db.close();
  });

  const chat = (user: string | undefined, extra: Record<string, unknown> = {}): Promise<Response> =>
    fetch(`${h.url}/v1/experiments/triage-prompt/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'model-a', messages: [{ role: 'user', content: 'hello' }], variables: { ticket: 'The site is down' }, ...(user === undefined ? {} : { user }), ...extra }),
    });
  const feedback = (body: unknown): Promise<Response> => fetch(`${h.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const analysis = (auth?: string): Promise<Response> => fetch(`${h.url}/v1/experiments/triage-prompt/analysis`, auth === undefined ? {} : { headers: { authorization: auth } });

  const served = new Map<string, string>(); // request id → arm
  test('each user gets the arm the stable hash gives; the registry arm calls its model with the rendered prompt first', async () => {
    for (let i = 0; i < 24; i++) {
      const user = `user-${i}`;
      const res = await chat(user);
      assert.equal(res.status, 200);
      const arm = res.headers.get('x-conduit-variant') ?? '';
      assert.equal(arm, assignArm(experiment, user).id);
      assert.equal(res.headers.get('x-conduit-experiment'), 'triage-prompt');
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      assert.equal(body.choices[0]?.message.content, arm === 'registry' ? 'answer B' : 'answer A');
      served.set(res.headers.get('x-request-id') ?? '', arm);
    }
    const arms = new Set(served.values());
    assert.deepEqual([...arms].sort(), ['control', 'registry'], 'both arms were reached');
    // The same user again: the same arm.
    assert.equal((await chat('user-3')).headers.get('x-conduit-variant'), assignArm(experiment, 'user-3').id);
    const bCall = modelB.calls[0];
    assert.ok(bCall !== undefined);
    assert.deepEqual(
      bCall.request.messages.map((m) => m.role),
      ['system', 'user', 'user'],
    );
    assert.match(JSON.stringify(bCall.request.messages[0]), /support triage specialist/);
    assert.match(JSON.stringify(bCall.request.messages[1]), /The site is down/);
    // The control arm sends the request unchanged.
    assert.equal(modelA.calls[0]?.request.messages.length, 1);
  });

  test('feedback is recorded against the request and its arm; bad or unknown feedback is refused', async () => {
    const [requestId, arm] = [...served.entries()][0]!;
    const ok = await feedback({ request_id: requestId, score: 4, thumbs: 'up', comment: 'good' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { object: 'feedback', request_id: requestId, experiment: 'triage-prompt', variant: arm });
    assert.equal((await feedback({ request_id: 'no-such-request', score: 1 })).status, 404);
    assert.equal((await feedback({ request_id: requestId })).status, 400);
    assert.equal((await feedback({ request_id: requestId, thumbs: 'sideways' })).status, 400);
    assert.equal((await feedback({ request_id: requestId, score: 'five' })).status, 400);
  });

  test('a failing model call is still recorded, as an error of its arm', async () => {
    let user = '';
    for (let i = 0; user === ''; i++) if (assignArm(experiment, `err-${i}`).id === 'control') user = `err-${i}`;
    modelA.enqueue(fail('provider_error'));
    const res = await chat(user);
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('x-conduit-variant'), 'control');
    const { rows } = await db.query<{ ok: boolean; error_code: string | null }>('SELECT ok, error_code FROM ab_requests WHERE user_id = $1', [user]);
    assert.deepEqual(rows, [{ ok: false, error_code: rows[0]?.error_code ?? null }]);
    assert.ok(rows[0]?.error_code);
  });

  test('no user, a stream or an unknown experiment is refused before any model call', async () => {
    const callsBefore = modelA.callCount + modelB.callCount;
    assert.equal((await chat(undefined)).status, 400);
    assert.equal((await chat('u', { stream: true })).status, 400);
    const unknown = await fetch(`${h.url}/v1/experiments/nope/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 404);
    assert.equal(modelA.callCount + modelB.callCount, callsBefore);
  });

  test('the analysis is admin only and counts what was served', async () => {
    assert.equal((await analysis()).status, 403);
    const res = await analysis('Bearer master');
    assert.equal(res.status, 200);
    const a = (await res.json()) as { experiment: string; arms: { id: string; requests: number; errors: number; mean_total_tokens: number; feedback: { scores: number } }[]; outcome: { outcome: string }; warnings: string[]; comparisons: unknown[] };
    assert.equal(a.experiment, 'triage-prompt');
    const count = (arm: string): number => [...served.values()].filter((x) => x === arm).length;
    const control = a.arms.find((x) => x.id === 'control')!;
    const registry = a.arms.find((x) => x.id === 'registry')!;
    assert.equal(control.requests, count('control') + (assignArm(experiment, 'user-3').id === 'control' ? 1 : 0) + 1);
    assert.equal(control.errors, 1);
    assert.equal(registry.requests, count('registry') + (assignArm(experiment, 'user-3').id === 'registry' ? 1 : 0));
    assert.equal(registry.mean_total_tokens, 48);
    assert.equal(control.mean_total_tokens, 15);
    assert.equal(a.comparisons.length, 6);
    // One score only: the primary metric (score) has too little data for a verdict, and peeking is flagged.
    assert.equal(a.outcome.outcome, 'insufficient_data');
    assert.match(a.warnings.join(' '), /Peeking/);
  });
});
