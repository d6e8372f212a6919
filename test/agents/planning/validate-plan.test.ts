import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePlan } from '../../../src/agents/planning/validate-plan.js';
import type { Plan } from '../../../src/agents/planning/plan.js';

const step = (id: string, dependsOn: string[] = []) => ({ id, description: `do ${id}`, dependsOn, successCriterion: `${id} done` });

describe('validatePlan', () => {
  test('a valid graph yields parallel waves in dependency order', () => {
    const plan: Plan = { goal: 'g', steps: [step('d', ['b', 'c']), step('a'), step('b', ['a']), step('c', ['a']), step('e')] };
    const v = validatePlan(plan);
    assert.ok(v.valid);
    assert.deepEqual(v.levels, [['a', 'e'], ['b', 'c'], ['d']]);
  });

  test('unknown dependencies, self-dependencies and duplicate ids are reported', () => {
    const v = validatePlan({ goal: 'g', steps: [step('a', ['zzz']), step('b', ['b']), step('a')] });
    assert.equal(v.valid, false);
    assert.ok(!v.valid);
    assert.deepEqual(v.problems, [
      { type: 'duplicate_id', stepId: 'a' },
      { type: 'unknown_dependency', stepId: 'a', dependency: 'zzz' },
      { type: 'self_dependency', stepId: 'b' },
    ]);
  });

  test('a cycle is found with its path', () => {
    const v = validatePlan({ goal: 'g', steps: [step('a', ['c']), step('b', ['a']), step('c', ['b']), step('x')] });
    assert.ok(!v.valid);
    assert.deepEqual(v.problems, [{ type: 'cycle', path: ['a', 'c', 'b', 'a'] }]);
  });

  test('completed steps from an earlier plan satisfy dependencies but may not be redefined', () => {
    assert.ok(validatePlan({ goal: 'g', steps: [step('n', ['old'])] }, new Set(['old'])).valid);
    const v = validatePlan({ goal: 'g', steps: [step('old')] }, new Set(['old']));
    assert.ok(!v.valid);
    assert.equal(v.problems[0]!.type, 'duplicate_id');
  });
});
