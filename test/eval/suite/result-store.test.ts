import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../../support/databases.js';
import { createSqlEvalResultStore } from '../../../src/eval/suite/result-store.js';
import { emptyUsage } from '../../../src/core/usage.js';
import type { EvalOutput } from '../../../src/eval/assertions/assertion.js';
import { summarize, type JobResult, type SuiteRunResult } from '../../../src/eval/suite/results.js';

const output: EvalOutput = { text: 'hello', toolCalls: [{ id: 'c', name: 't', arguments: '{}' }], latencyMs: 12.5, costUsd: 0.0001, usage: { ...emptyUsage(), inputTokens: 3 }, model: 'gpt-4o-mini', provider: 'openai' };

function runOf(id: string, suite: string, at: string, pass: boolean): SuiteRunResult {
  const results: JobResult[] = [
    { index: 0, prompt: 'p', model: 'm', case: 'c', repeat: 0, vars: { a: 'b' }, inputHash: 'h1', cached: false, output, assertions: [{ type: 'contains', label: 'contains "x"', pass, score: pass ? 1 : 0, reason: 'r' }], pass, score: pass ? 1 : 0 },
  ];
  return { runId: id, suite, startedAt: new Date(at), finishedAt: new Date(at), durationMs: 0, results, summary: summarize(results) };
}

for (const factory of databaseFactories) {
  describe(`eval result store (${factory.name})`, () => {
    test('cache round trip, run history newest first, results of a run', async () => {
      const { db, dispose } = await factory.open();
      try {
        const store = await createSqlEvalResultStore(db);
        await createSqlEvalResultStore(db); // migrations are idempotent
        assert.equal(await store.getCached('h1'), undefined);
        await store.putCached('h1', output);
        assert.deepEqual(await store.getCached('h1'), output);
        await store.putCached('h1', { ...output, text: 'replaced\u0000 text' });
        assert.equal((await store.getCached('h1'))?.text, 'replaced text', 'NUL (refused by jsonb) is dropped');

        await store.saveRun(runOf('r1', 'alpha', '2026-01-01T00:00:00Z', true));
        await store.saveRun(runOf('r2', 'alpha', '2026-01-02T00:00:00Z', false));
        await store.saveRun(runOf('r3', 'beta', '2026-01-03T00:00:00Z', true));
        const all = await store.history();
        assert.deepEqual(
          all.map((r) => r.runId),
          ['r3', 'r2', 'r1'],
        );
        const alpha = await store.history({ suite: 'alpha', limit: 1 });
        assert.equal(alpha.length, 1);
        assert.equal(alpha[0]?.runId, 'r2');
        assert.equal(alpha[0]?.summary.failed, 1);
        assert.equal(alpha[0]?.startedAt.toISOString(), '2026-01-02T00:00:00.000Z');
        const results = await store.runResults('r2');
        assert.deepEqual(results, runOf('r2', 'alpha', '2026-01-02T00:00:00Z', false).results);
      } finally {
        await dispose();
      }
    });
  });
}
