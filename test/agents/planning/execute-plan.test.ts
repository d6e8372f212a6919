import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConduitError } from '../../../src/core/errors.js';
import { executePlan } from '../../../src/agents/planning/execute-plan.js';
import type { Plan, PlanStep } from '../../../src/agents/planning/plan.js';
import type { StepExecutor } from '../../../src/agents/planning/step-executor.js';
import { predicateVerifier } from '../../../src/agents/planning/step-verifier.js';

const step = (id: string, dependsOn: string[] = [], extra: Partial<PlanStep> = {}): PlanStep => ({ id, description: `do ${id}`, dependsOn, successCriterion: `output mentions ${id}`, ...extra });
const mentionsId = predicateVerifier((s, out) => out.includes(s.id));

/** An executor that takes `ms` per step and records concurrency and order. */
function tracked(ms: number, behaviour: (s: PlanStep, attempt: string, deps: Record<string, string>) => string = (s) => `result of ${s.id}`) {
  const log = { inFlight: 0, maxInFlight: 0, started: [] as string[], finished: [] as string[], deps: {} as Record<string, Record<string, string>> };
  const execute: StepExecutor = async (s, ctx) => {
    log.inFlight++;
    log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
    log.started.push(`${s.id}:${ctx.attempt}`);
    log.deps[s.id] = { ...ctx.dependencies };
    try {
      await sleep(ms);
      return behaviour(s, ctx.attempt, ctx.dependencies);
    } finally {
      log.inFlight--;
      log.finished.push(s.id);
    }
  };
  return { execute, log };
}

describe('executePlan', () => {
  test('independent steps run in parallel; a dependent step waits for all it needs and gets their outputs', async () => {
    const plan: Plan = { goal: 'g', steps: [step('a'), step('b'), step('c'), step('d', ['a', 'b', 'c'])] };
    const { execute, log } = tracked(80);
    const t0 = Date.now();
    const run = await executePlan(plan, { execute, verify: mentionsId });
    const elapsed = Date.now() - t0;
    assert.equal(run.status, 'succeeded');
    assert.equal(log.maxInFlight, 3);
    assert.deepEqual(log.started.slice(0, 3).sort(), ['a:primary', 'b:primary', 'c:primary']);
    assert.equal(log.started[3], 'd:primary');
    assert.deepEqual(log.finished.slice(0, 3).sort(), ['a', 'b', 'c']);
    assert.deepEqual(log.deps.d, { a: 'result of a', b: 'result of b', c: 'result of c' });
    // Two waves of 80 ms, not four steps in a row (320 ms).
    assert.ok(elapsed < 280, `took ${elapsed} ms`);
    const d = run.results.find((r) => r.stepId === 'd')!;
    assert.ok(d.startedAt >= Math.max(...run.results.filter((r) => r.stepId !== 'd').map((r) => r.finishedAt)));
  });

  test('maxConcurrency bounds the parallelism', async () => {
    const { execute, log } = tracked(10);
    const run = await executePlan({ goal: 'g', steps: [step('a'), step('b'), step('c')] }, { execute, verify: mentionsId, maxConcurrency: 1 });
    assert.equal(run.status, 'succeeded');
    assert.equal(log.maxInFlight, 1);
  });

  test('a step that fails verification runs its contingency; the contingency output flows downstream', async () => {
    const plan: Plan = { goal: 'g', steps: [step('a', [], { contingency: 'use the cached copy' }), step('b', ['a'])] };
    const { execute, log } = tracked(5, (s, attempt) => (s.id === 'a' && attempt === 'primary' ? 'timeout' : `${s.id} via ${attempt}`));
    const run = await executePlan(plan, { execute, verify: mentionsId });
    assert.equal(run.status, 'succeeded');
    const a = run.results.find((r) => r.stepId === 'a')!;
    assert.equal(a.via, 'contingency');
    assert.equal(a.verdicts.length, 2);
    assert.equal(a.verdicts[0]!.passed, false);
    assert.deepEqual(log.started, ['a:primary', 'a:contingency', 'b:primary']);
    assert.deepEqual(log.deps.b, { a: 'a via contingency' });
  });

  test('a failed step (thrown error, no contingency) stops the plan: its dependents never start, running siblings finish', async () => {
    const plan: Plan = { goal: 'g', steps: [step('a'), step('slow'), step('after-a', ['a'])] };
    const execute: StepExecutor = async (s) => {
      if (s.id === 'a') throw new Error('disk full');
      await sleep(40);
      return `result of ${s.id}`;
    };
    const started: string[] = [];
    const run = await executePlan(plan, { execute, verify: mentionsId, onEvent: (e) => e.type === 'step-started' && started.push(e.stepId) });
    assert.equal(run.status, 'failed');
    assert.equal(run.failed?.stepId, 'a');
    assert.equal(run.failed?.error, 'disk full');
    assert.ok(!started.includes('after-a'));
    assert.equal(run.results.find((r) => r.stepId === 'slow')?.status, 'succeeded');
  });

  test('an invalid plan is refused before anything runs', async () => {
    let calls = 0;
    await assert.rejects(
      executePlan({ goal: 'g', steps: [step('a', ['b']), step('b', ['a'])] }, { execute: async () => `${++calls}`, verify: mentionsId }),
      (e: unknown) => e instanceof ConduitError && e.code === 'invalid_plan',
    );
    assert.equal(calls, 0);
  });
});
