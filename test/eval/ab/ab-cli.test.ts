/** `conduit ab …` through main(argv, io), reading the experiment tables from the PostgreSQL test database (a fresh schema). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli.js';
import { openPgDatabase } from '../../../src/store/postgres/pg-database.js';
import { createTestSchema } from '../../support/databases.js';
import { openExperimentStore } from '../../../src/eval/ab/experiment-store.js';

const cwd = mkdtempSync(join(tmpdir(), 'conduit-ab-'));
let dropSchema: (() => Promise<void>) | undefined;
after(async () => {
  rmSync(cwd, { recursive: true, force: true });
  await dropSchema?.();
});

const run = (argv: string[]) => runCli(argv, { cwd });

// Wikipedia's Welch example 1 as feedback scores (SciPy: t = −2.4553563983, df = 24.9885292902, p = 0.0213780015).
const A = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const B = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

describe('conduit ab', () => {
  before(async () => {
    const schema = await createTestSchema();
    dropSchema = () => schema.drop();
    writeFileSync(
      join(cwd, 'conduit.yaml'),
      `storage:\n  database_url: ${JSON.stringify(schema.url)}\nexperiments:\n  - id: tone\n    variants:\n      - id: friendly\n        share: 50\n        model: fast\n    min_samples_per_arm: 15\n`,
    );
    const db = await openPgDatabase({ connectionString: schema.url, max: 1 });
    try {
      await openExperimentStore(db); // the tables
      // One statement per table: the store's own writes are covered by its conformance suite.
      const rows = (['control', 'friendly'] as const).flatMap((arm) => (arm === 'control' ? A : B).map((score, i) => ({ id: `${arm}-${i}`, arm, i, score })));
      await db.exec(`INSERT INTO ab_requests (request_id, experiment_id, variant_id, user_id, ok, latency_ms, input_tokens, output_tokens) VALUES ${rows.map((r) => `('${r.id}', 'tone', '${r.arm}', 'u-${r.id}', true, ${100 + r.i}, 10, 5)`).join(', ')}`);
      await db.exec(`INSERT INTO ab_feedback (request_id, score) VALUES ${rows.map((r) => `('${r.id}', ${r.score})`).join(', ')}`);
    } finally {
      await db.close();
    }
  });

  test('analyze prints the Welch test on scores with the reference values and the winner', async () => {
    const r = await run(['ab', 'analyze', 'tone']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Experiment tone: 'friendly' beats the control on score/);
    assert.match(r.stdout, /friendly +score +15\/15 +2\.1667 .* t=2\.4554 +24\.99 +0\.0214 +friendly better/);
    const json = JSON.parse((await run(['ab', 'analyze', 'tone', '--json'])).stdout) as { outcome: { winner: string }; comparisons: { metric: string; result: { test: { t: number; df: number; p_value: number } } }[] };
    const score = json.comparisons.find((c) => c.metric === 'score')!.result.test;
    assert.deepEqual([score.t.toFixed(4), score.df.toFixed(4), score.p_value.toFixed(4)], ['2.4554', '24.9885', '0.0214']);
    assert.equal(json.outcome.winner, 'friendly');
  });

  test('list and assign; an unknown experiment or subcommand fails', async () => {
    assert.match((await run(['ab', 'list'])).stdout, /tone {2}control 50% \| friendly 50% model=fast {2}primary=score/);
    const assigned = (await run(['ab', 'assign', 'tone', 'alice'])).stdout.trim();
    assert.ok(['control', 'friendly'].includes(assigned));
    assert.equal((await run(['ab', 'assign', 'tone', 'alice'])).stdout.trim(), assigned);
    assert.equal((await run(['ab', 'analyze', 'nope'])).code, 1);
    assert.equal((await run(['ab', 'frob'])).code, 2);
  });
});
