import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineExperiment, defineExperiments } from '../../../src/eval/ab/experiment.js';
import { assignArm, bucketOf } from '../../../src/eval/ab/assignment.js';
import { isConduitError } from '../../../src/core/errors.js';

const base = { id: 'greeting-tone', variants: [{ id: 'friendly', share: 30, prompt: 'support/greeting@1.1.0' }, { id: 'terse', share: 30, model: 'fast' }] };

function refused(code: string, pattern: RegExp) {
  return (e: unknown): boolean => isConduitError(e) && e.code === code && pattern.test(e.message);
}

describe('experiment definitions', () => {
  test('the remainder of the traffic is the control arm, listed first; defaults filled in', () => {
    const e = defineExperiment(base);
    assert.deepEqual(
      e.arms.map((a) => [a.id, a.share]),
      [
        ['control', 40],
        ['friendly', 30],
        ['terse', 30],
      ],
    );
    assert.equal(e.alpha, 0.05);
    assert.equal(e.minSamplesPerArm, 30);
    assert.equal(e.plannedSamplesPerArm, 30);
    assert.equal(e.primaryMetric, 'score');
  });

  test('shares summing to more than 100% are refused; exactly 100 (33.33+33.33+33.34) is fine', () => {
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'a', share: 60, model: 'x' }, { id: 'b', share: 40.01, model: 'y' }] }), refused('invalid_experiment', /sum to 100.01%, more than 100%/));
    const full = defineExperiment({ id: 'thirds', variants: [{ id: 'a', share: 33.33, model: 'x' }, { id: 'b', share: 33.33, model: 'y' }, { id: 'c', share: 33.34, model: 'z' }] });
    assert.equal(full.arms[0]?.share, 0);
  });

  test('other mistakes are refused with what is wrong', () => {
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'a', share: 10, model: 'x' }, { id: 'a', share: 10, model: 'y' }] }), refused('invalid_experiment', /'a' is used twice/));
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'control', share: 10, model: 'x' }] }), refused('invalid_experiment', /reserved/));
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'a', share: 10 }] }), refused('invalid_experiment', /changes nothing/));
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'a', share: 10.001, model: 'x' }] }), refused('invalid_experiment', /more than two decimals/));
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'a', share: 10, prompt: 'support/greeting' }] }), refused('invalid_experiment', /must name a version/));
    assert.throws(() => defineExperiment({ ...base, variants: [{ id: 'a', share: 0, model: 'x' }] }), refused('invalid_experiment', /variants\.0\.share/));
    assert.throws(() => defineExperiment({ ...base, min_samples_per_arm: 50, planned_samples_per_arm: 40 }), refused('invalid_experiment', /below min_samples_per_arm/));
    assert.throws(() => defineExperiments([base, base]), refused('invalid_experiment', /configured twice/));
  });
});

describe('deterministic assignment', () => {
  test('buckets are sha256(experiment \\0 user), first 48 bits mod 10000 (values computed with Python hashlib)', () => {
    assert.equal(bucketOf('greeting-tone', 'alice'), 5284);
    assert.equal(bucketOf('greeting-tone', 'bob'), 7703);
    assert.equal(bucketOf('other', 'alice'), 6321);
  });

  test('arms follow cumulative shares: variants take the low buckets in order, the control the rest', () => {
    const e = defineExperiment(base); // friendly [0, 3000), terse [3000, 6000), control [6000, 10000)
    assert.equal(assignArm(e, 'alice').id, 'terse'); // 5284
    assert.equal(assignArm(e, 'bob').id, 'control'); // 7703
  });

  test('observed shares over 20 000 users are within 1.5 points of the configured ones', () => {
    const e = defineExperiment(base);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const id = assignArm(e, `user-${i}`).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const arm of e.arms) assert.ok(Math.abs(((counts.get(arm.id) ?? 0) / 20_000) * 100 - arm.share) < 1.5, `${arm.id}: ${counts.get(arm.id)}`);
  });

  test('another process assigns every user to the same arm', () => {
    const e = defineExperiment(base);
    const users = Array.from({ length: 50 }, (_, i) => `u${i * 7919}`);
    const here = users.map((u) => assignArm(e, u).id);
    const module = fileURLToPath(new URL('../../../src/eval/ab/index.ts', import.meta.url));
    const script = `import { defineExperiment, assignArm } from ${JSON.stringify(module)};
      const e = defineExperiment(${JSON.stringify(base)});
      process.stdout.write(JSON.stringify(${JSON.stringify(users)}.map((u) => assignArm(e, u).id)));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), here);
    assert.ok(new Set(here).size === 3, 'the sample reaches every arm');
  });

  test('an empty user id is refused', () => {
    assert.throws(() => assignArm(defineExperiment(base), ''), refused('missing_user', /user id/));
  });
});
