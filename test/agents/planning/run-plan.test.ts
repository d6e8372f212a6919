import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { contentText } from '../../../src/core/messages.js';
import { createPlan } from '../../../src/agents/planning/create-plan.js';
import { runPlan } from '../../../src/agents/planning/run-plan.js';
import type { Plan } from '../../../src/agents/planning/plan.js';
import { createModelJudge, predicateVerifier } from '../../../src/agents/planning/step-verifier.js';
import { reply, ScriptedModel } from '../../support/scripted-model.js';

const planReply = (plan: Plan) => reply(JSON.stringify(plan));
const step = (id: string, dependsOn: string[] = [], contingency?: string) => ({ id, description: `do ${id}`, dependsOn, successCriterion: `output mentions ${id}`, ...(contingency ? { contingency } : {}) });
const sentText = (model: ScriptedModel, call: number) => model.calls[call]!.request.messages.map((m) => contentText(m.content as string)).join('\n');

describe('planner', () => {
  test('a plan with a cycle or an unknown dependency is sent back as a replan request', async () => {
    const model = new ScriptedModel({
      provider: 'openai',
      modelId: 'gpt-4o',
      script: [
        planReply({ goal: 'g', steps: [step('a', ['b']), step('b', ['a'])] }),
        planReply({ goal: 'g', steps: [step('a'), step('b', ['nope'])] }),
        planReply({ goal: 'g', steps: [step('a'), step('b', ['a'])] }),
      ],
    });
    const created = await createPlan({ model, goal: 'write a report' });
    assert.deepEqual(created.levels, [['a'], ['b']]);
    assert.equal(created.rejected.length, 2);
    assert.equal(model.callCount, 3);
    assert.match(sentText(model, 1), /cycle: a → b → a/);
    assert.match(sentText(model, 2), /depends on 'nope'/);
  });

  test('the planner gives up after maxAttempts invalid plans with a typed error', async () => {
    const bad = planReply({ goal: 'g', steps: [step('a', ['a'])] });
    const model = new ScriptedModel({ provider: 'openai', script: [bad, bad] });
    await assert.rejects(createPlan({ model, goal: 'g', maxAttempts: 2 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_plan');
  });

  test('a failed step triggers a replan that keeps completed work; the new plan can depend on it', async () => {
    const model = new ScriptedModel({
      provider: 'openai',
      script: [planReply({ goal: 'g', steps: [step('fetch'), step('parse', ['fetch'])] }), planReply({ goal: 'g', steps: [step('parse2', ['fetch'])] })],
    });
    const executed: string[] = [];
    const run = await runPlan({
      model,
      goal: 'summarise the data',
      execute: async (s, ctx) => {
        executed.push(s.id);
        if (s.id === 'parse') return 'garbage';
        return `${s.id} using ${Object.values(ctx.dependencies).join(',')}`;
      },
      verify: predicateVerifier((s, out) => out.includes(s.id)),
    });
    assert.equal(run.status, 'succeeded');
    assert.equal(run.replans, 1);
    assert.deepEqual(executed, ['fetch', 'parse', 'parse2']);
    assert.equal(run.outputs.parse2, 'parse2 using fetch using ');
    // The replan request named the failure and the completed step.
    const replanPrompt = sentText(model, 1);
    assert.match(replanPrompt, /failed at step 'parse'/);
    assert.match(replanPrompt, /- fetch: fetch using/);
  });

  test('replans are bounded', async () => {
    const model = new ScriptedModel({ provider: 'openai', whenEmpty: planReply({ goal: 'g', steps: [step('x')] }) });
    const run = await runPlan({ model, goal: 'g', execute: async () => 'never right', verify: predicateVerifier(() => false), maxReplans: 2 });
    assert.equal(run.status, 'failed');
    assert.equal(run.plans.length, 3);
    assert.equal(run.replans, 2);
    assert.equal(run.failed?.stepId, 'x');
  });

  test('by default the model carries out steps and judges them against the success criterion', async () => {
    const model = new ScriptedModel({
      provider: 'openai',
      script: [
        planReply({ goal: 'g', steps: [step('s1')] }),
        reply('s1: the answer is 42'),
        reply('{"passed":false,"reason":"no units"}'),
        planReply({ goal: 'g', steps: [step('s2')] }),
        reply('s2: 42 metres'),
        reply('{"passed":true,"reason":"has units"}'),
      ],
    });
    const run = await runPlan({ model, goal: 'measure it', maxReplans: 1 });
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.outputs, { s2: 's2: 42 metres' });
    assert.match(sentText(model, 2), /Success criterion: output mentions s1/);
    assert.match(sentText(model, 3), /no units/);
  });

  test('the model judge returns the verdict the model gave', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('{"passed":false,"reason":"missing the date"}')] });
    const verdict = await createModelJudge(model)(step('a'), 'a report', {});
    assert.deepEqual(verdict, { passed: false, reason: 'missing the date' });
  });
});
