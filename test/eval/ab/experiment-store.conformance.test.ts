import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../../support/databases.js';
import { openExperimentStore, type ExperimentStore } from '../../../src/eval/ab/experiment-store.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { isConduitError } from '../../../src/core/errors.js';

for (const factory of databaseFactories) {
  describe(`experiment store (${factory.name})`, () => {
    let db: SqlDatabase;
    let dispose: () => Promise<void>;
    let store: ExperimentStore;

    before(async () => {
      ({ db, dispose } = await factory.open());
      store = await openExperimentStore(db);
    });
    after(() => dispose());

    test('requests and feedback come back grouped by arm; failed requests count as errors only', async () => {
      await store.recordRequest({ requestId: 'r1', experimentId: 'e', variantId: 'control', userId: 'u1', ok: true, latencyMs: 120.5, inputTokens: 10, outputTokens: 5, costUsd: 0.001 });
      await store.recordRequest({ requestId: 'r2', experimentId: 'e', variantId: 'control', userId: 'u2', ok: true, latencyMs: 80, inputTokens: 7, outputTokens: 3 });
      await store.recordRequest({ requestId: 'r3', experimentId: 'e', variantId: 'v1', userId: 'u3', ok: false, errorCode: 'provider_error', latencyMs: 5, inputTokens: 0, outputTokens: 0 });
      await store.recordRequest({ requestId: 'r4', experimentId: 'e', variantId: 'v1', userId: 'u4', ok: true, latencyMs: 60, inputTokens: 4, outputTokens: 4, costUsd: 0.002 });
      await store.recordRequest({ requestId: 'other', experimentId: 'f', variantId: 'v1', userId: 'u4', ok: true, latencyMs: 1, inputTokens: 1, outputTokens: 1 });
      assert.deepEqual(await store.recordFeedback({ requestId: 'r1', score: 4 }), { experimentId: 'e', variantId: 'control' });
      await store.recordFeedback({ requestId: 'r2', thumbsUp: false, comment: 'meh' });
      await store.recordFeedback({ requestId: 'r4', score: 2, thumbsUp: true });
      // The latest feedback for a request replaces the earlier one.
      await store.recordFeedback({ requestId: 'r4', score: 5, thumbsUp: true });

      const obs = await store.observations('e');
      const control = obs.find((o) => o.variantId === 'control');
      const v1 = obs.find((o) => o.variantId === 'v1');
      assert.deepEqual(control, { variantId: 'control', requests: 2, errors: 0, latencyMs: [120.5, 80], totalTokens: [15, 10], costUsd: [0.001], scores: [4], thumbsUp: 0, thumbsTotal: 1 });
      assert.deepEqual(v1, { variantId: 'v1', requests: 2, errors: 1, latencyMs: [60], totalTokens: [8], costUsd: [0.002], scores: [5], thumbsUp: 1, thumbsTotal: 1 });
      assert.equal(obs.length, 2);
    });

    test('feedback for an unknown request is refused and stores nothing', async () => {
      await assert.rejects(store.recordFeedback({ requestId: 'nope', score: 1 }), (e) => isConduitError(e) && e.kind === 'not_found' && e.code === 'unknown_request');
      const { rows } = await db.query<{ n: string | number }>("SELECT count(*) AS n FROM ab_feedback WHERE request_id = 'nope'");
      assert.equal(Number(rows[0]?.n), 0);
    });

    test('a request id is recorded once', async () => {
      await assert.rejects(store.recordRequest({ requestId: 'r1', experimentId: 'e', variantId: 'v1', userId: 'x', ok: true, latencyMs: 1, inputTokens: 0, outputTokens: 0 }));
    });

    test('opening again runs no migration twice', async () => {
      const again = await openExperimentStore(db);
      assert.equal((await again.observations('e')).length, 2);
    });
  });
}
