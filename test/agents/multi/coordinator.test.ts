/**
 * The coordinator and workers on the in-process transport: typed messages, planning with a
 * (scripted) model, assignment by capability and load, dependencies, declines, failures and
 * timeouts, and consensus rounds with the agents' own votes, a tie included.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCoordinator, validateSubtasks, type Coordinator } from '../../../src/agents/multi/coordinator.js';
import { createInProcessTransport } from '../../../src/agents/multi/in-process-transport.js';
import { createMessage, parseAgentMessage, type AgentMessage } from '../../../src/agents/multi/messages.js';
import { startAgentWorker, type AgentWorkerDefinition, type AgentWorker } from '../../../src/agents/multi/worker.js';
import type { AgentTransport } from '../../../src/agents/multi/transport.js';
import { isConduitError } from '../../../src/core/errors.js';
import { reply, ScriptedModel, toolCallReply } from '../../support/scripted-model.js';
import { modelTaskHandler, modelVoter, type ModelTaskResult } from '../../../src/agents/multi/model-agent.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(definitions: AgentWorkerDefinition[], options: { taskTimeoutMs?: number; model?: ScriptedModel } = {}): Promise<{ transport: AgentTransport; coordinator: Coordinator; workers: AgentWorker[] }> {
  const transport = createInProcessTransport();
  const coordinator = await createCoordinator({ transport, ...options });
  const workers: AgentWorker[] = [];
  for (const d of definitions) workers.push(await startAgentWorker(transport, d));
  await coordinator.waitForAgents(definitions.map((d) => d.name), 2000);
  cleanups.push(async () => {
    for (const w of workers) await w.stop();
    await coordinator.close();
    await transport.close();
  });
  return { transport, coordinator, workers };
}

const echoAgent = (name: string, capabilities: string[], extra: Partial<AgentWorkerDefinition> = {}): AgentWorkerDefinition => ({
  name,
  capabilities,
  handleTask: async (task) => ({ by: name, did: task.description, input: task.input }),
  ...extra,
});

describe('messages', () => {
  test('are validated: envelope, type and payload', () => {
    const m = createMessage('task_request', { sender: 'coordinator', recipient: 'researcher', payload: { taskId: 't1', description: 'Find sources' } });
    assert.equal(m.type, 'task_request');
    assert.equal(m.priority, 3);
    assert.deepEqual(m.payload.requiredCapabilities, []);
    assert.ok(!Number.isNaN(Date.parse(m.timestamp)));
    assert.deepEqual(parseAgentMessage(JSON.parse(JSON.stringify(m))), m);

    const invalid = (value: unknown, pattern: RegExp) =>
      assert.throws(() => parseAgentMessage(value), (err) => isConduitError(err) && err.code === 'invalid_agent_message' && pattern.test(err.message));
    invalid({ ...m, type: 'gossip' }, /type/);
    invalid({ ...m, sender: 'has space' }, /sender/);
    invalid({ ...m, payload: { taskId: 't1' } }, /payload\.description/);
    invalid({ ...m, priority: 9 }, /priority/);
    invalid({ ...m, type: 'consensus_vote', payload: { proposalId: 'p', option: 'x', confidence: 1.5, reasons: ['r'] } }, /confidence/);
    invalid({ ...m, type: 'consensus_proposal', payload: { proposalId: 'p', topic: 't', options: ['a', 'a'] } }, /distinct/);
  });

  test('the in-process transport keeps mail for agents not yet subscribed and broadcasts to all but the sender', async () => {
    const transport = createInProcessTransport();
    cleanups.push(() => transport.close());
    const got: Record<string, AgentMessage[]> = { a: [], b: [], c: [] };
    await transport.send(createMessage('information_share', { sender: 'c', recipient: 'a', payload: { topic: 'early', content: 1 } }));
    for (const name of ['a', 'b', 'c'] as const) await transport.subscribe(name, (msg) => void got[name]?.push(msg));
    await transport.send(createMessage('information_share', { sender: 'c', recipient: '*', payload: { topic: 'all', content: 2, confidence: 0.8 } }));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.a?.map((m) => (m.type === 'information_share' ? m.payload.topic : '')), ['early', 'all']);
    assert.equal(got.b?.length, 1);
    assert.equal(got.c?.length, 0);
    await assert.rejects(transport.subscribe('a', () => undefined), /already has a subscriber/);
  });

  test('a failing handler gets the message again, then it is reported undeliverable', async () => {
    const undeliverable: unknown[] = [];
    const transport = createInProcessTransport({ maxDeliveries: 3, onUndeliverable: (info) => undeliverable.push(info.message) });
    cleanups.push(() => transport.close());
    let attempts = 0;
    await transport.subscribe('flaky', () => {
      attempts++;
      if (attempts < 3) throw new Error('not yet');
    });
    await transport.subscribe('broken', () => {
      throw new Error('never');
    });
    await transport.send(createMessage('help_request', { sender: 'x', recipient: 'flaky', payload: { topic: 't', description: 'd' } }));
    await transport.send(createMessage('help_request', { sender: 'x', recipient: 'broken', payload: { topic: 't', description: 'd' } }));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(attempts, 3);
    assert.equal(undeliverable.length, 1);
  });
});

describe('coordinator', () => {
  test('assigns by capability, runs dependencies in order and passes results along', async () => {
    const { coordinator } = await setup([echoAgent('researcher', ['research', 'fact_checking']), echoAgent('analyst', ['data_analysis']), echoAgent('writer', ['writing'])]);
    const result = await coordinator.run({
      goal: 'Report on AI adoption',
      subtasks: [
        { id: 'gather', description: 'Gather sources', requiredCapabilities: ['research'] },
        { id: 'analyse', description: 'Analyse the data', requiredCapabilities: ['data_analysis'], dependsOn: ['gather'] },
        { id: 'report', description: 'Write the report', requiredCapabilities: ['writing'], dependsOn: ['gather', 'analyse'] },
      ],
    });
    assert.equal(result.status, 'completed');
    assert.deepEqual(
      result.subtasks.map((s) => [s.id, s.agent, s.status]),
      [
        ['gather', 'researcher', 'completed'],
        ['analyse', 'analyst', 'completed'],
        ['report', 'writer', 'completed'],
      ],
    );
    const report = result.subtasks[2]?.result as { input: { goal: string; dependencies: Record<string, { by: string }> } };
    assert.equal(report.input.goal, 'Report on AI adoption');
    assert.deepEqual(Object.keys(report.input.dependencies), ['gather', 'analyse']);
    assert.equal(report.input.dependencies.analyse?.by, 'analyst');
    // Loads are back to zero once every response arrived.
    assert.ok(coordinator.directory().every((a) => a.activeTasks === 0));
  });

  test('spreads parallel work by load and prefers the idle agent', async () => {
    const release: (() => void)[] = [];
    const slow = (name: string): AgentWorkerDefinition =>
      echoAgent(name, ['writing'], {
        capacity: 2,
        handleTask: (task) => new Promise((resolve) => release.push(() => resolve({ by: name, id: task.taskId }))),
      });
    const { coordinator } = await setup([slow('w1'), slow('w2')]);
    const running = coordinator.run({ goal: 'g', subtasks: [1, 2, 3, 4].map((i) => ({ id: `s${i}`, description: `part ${i}`, requiredCapabilities: ['writing'] })) });
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(
      coordinator.directory().map((a) => [a.name, a.activeTasks]),
      [
        ['w1', 2],
        ['w2', 2],
      ],
    );
    for (const r of release.splice(0)) r();
    const result = await running;
    assert.deepEqual(
      result.subtasks.map((s) => s.agent),
      ['w1', 'w2', 'w1', 'w2'],
    );
    assert.ok(result.subtasks.every((s) => (s.result as { by: string }).by === s.agent));
  });

  test('a declined task goes to the next best agent; failures skip dependants; no capable agent fails', async () => {
    const { coordinator } = await setup([
      echoAgent('picky', ['research', 'writing'], { declines: (t) => (t.description.includes('boring') ? 'too boring' : undefined) }),
      echoAgent('plain', ['research']),
      echoAgent('broken', ['maths'], {
        handleTask: async () => {
          throw new Error('division by zero');
        },
      }),
    ]);
    const result = await coordinator.run({
      goal: 'g',
      subtasks: [
        { id: 'boring', description: 'boring research', requiredCapabilities: ['research', 'writing'] },
        { id: 'sum', description: 'add up', requiredCapabilities: ['maths'] },
        { id: 'after-sum', description: 'use the sum', requiredCapabilities: ['research'], dependsOn: ['sum'] },
        { id: 'paint', description: 'paint', requiredCapabilities: ['painting'] },
      ],
    });
    const byId = Object.fromEntries(result.subtasks.map((s) => [s.id, s]));
    assert.equal(byId.boring?.status, 'completed');
    assert.equal(byId.boring?.agent, 'plain');
    assert.deepEqual(byId.boring?.attempts.map((a) => [a.agent, a.status]), [
      ['picky', 'declined'],
      ['plain', 'completed'],
    ]);
    assert.equal(byId.sum?.status, 'failed');
    assert.equal(byId.sum?.error, 'division by zero');
    assert.equal(byId['after-sum']?.status, 'skipped');
    assert.equal(byId.paint?.status, 'failed');
    assert.match(byId.paint?.error ?? '', /no agent has any of the capabilities painting/);
    // 3 of 4 did not complete: more than half.
    assert.equal(result.status, 'failed');
  });

  test('a task with no answer in time fails with a timeout', async () => {
    const { coordinator } = await setup([echoAgent('sleepy', ['x'], { handleTask: (_task, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))) })], { taskTimeoutMs: 50 });
    const result = await coordinator.run({ goal: 'g', subtasks: [{ id: 'a', description: 'never ends', requiredCapabilities: ['x'] }] });
    assert.equal(result.subtasks[0]?.status, 'failed');
    assert.deepEqual(result.subtasks[0]?.attempts.map((a) => a.status), ['timeout']);
  });

  test('plans the goal with a model (generateObject) and runs the plan', async () => {
    const model = new ScriptedModel({ provider: 'openai' });
    model.enqueue(
      reply(
        JSON.stringify({
          subtasks: [
            { id: 'find', description: 'Find employment data 2020-2024', requiredCapabilities: ['research'], dependsOn: [] },
            { id: 'write', description: 'Write an executive summary', requiredCapabilities: ['writing'], dependsOn: ['find'] },
          ],
        }),
      ),
    );
    const { coordinator } = await setup([echoAgent('researcher', ['research']), echoAgent('writer', ['writing'])], { model });
    const result = await coordinator.run({ goal: 'Impact of AI adoption on tech employment' });
    assert.equal(result.status, 'completed');
    assert.deepEqual(
      result.subtasks.map((s) => [s.id, s.agent]),
      [
        ['find', 'researcher'],
        ['write', 'writer'],
      ],
    );
    const prompt = JSON.stringify(model.calls[0]?.request.messages);
    assert.match(prompt, /Impact of AI adoption/);
    assert.match(prompt, /researcher: research/);
    assert.equal(model.calls[0]?.request.responseFormat?.type, 'json_schema');
  });

  test('rejects plans with unknown dependencies, duplicates or cycles', () => {
    const bad = (subtasks: Parameters<typeof validateSubtasks>[0], pattern: RegExp) =>
      assert.throws(() => validateSubtasks(subtasks), (err) => isConduitError(err) && err.code === 'invalid_plan' && pattern.test(err.message));
    bad([{ id: 'a', description: 'd', requiredCapabilities: [], dependsOn: ['zz'] }], /unknown subtask 'zz'/);
    bad(
      [
        { id: 'a', description: 'd', requiredCapabilities: [] },
        { id: 'a', description: 'd', requiredCapabilities: [] },
      ],
      /twice/,
    );
    bad(
      [
        { id: 'a', description: 'd', requiredCapabilities: [], dependsOn: ['b'] },
        { id: 'b', description: 'd', requiredCapabilities: [], dependsOn: ['a'] },
      ],
      /cycle: a -> b -> a/,
    );
  });

  test('consensus: each agent states a position with reasons; votes decide', async () => {
    const voter = (name: string, option: string, confidence: number) =>
      echoAgent(name, ['review'], { vote: async (p) => ({ option, confidence, reasons: [`${name}: ${option} suits ${p.topic}`] }) });
    const { coordinator } = await setup([voter('a', 'postgres', 0.6), voter('b', 'postgres', 0.7), voter('c', 'sqlite', 0.99)]);
    const result = await coordinator.consensus({ topic: 'storage', options: ['sqlite', 'postgres'] });
    assert.equal(result.decision, 'postgres');
    assert.equal(result.decidedBy, 'votes');
    assert.deepEqual(result.participants, ['a', 'b', 'c']);
    assert.equal(result.votes.find((v) => v.agent === 'c')?.reasons[0], 'c: sqlite suits storage');
  });

  test('consensus tie: confidence decides, then the coordinator; silent agents abstain at the deadline', async () => {
    const voter = (name: string, option: string | undefined, confidence: number) =>
      echoAgent(name, ['review'], { vote: async () => (option === undefined ? undefined : { option, confidence, reasons: ['because'] }) });
    const { coordinator } = await setup([voter('a', 'blue', 0.9), voter('b', 'green', 0.5), voter('c', 'green', 0.5), voter('d', 'blue', 0.1), voter('mute', undefined, 0)]);
    const byConfidence = await coordinator.consensus({ topic: 'colour', options: ['green', 'blue'], participants: ['a', 'b'], timeoutMs: 2000 });
    assert.equal(byConfidence.decision, 'blue');
    assert.equal(byConfidence.decidedBy, 'confidence');

    const full = await coordinator.consensus({ topic: 'colour', options: ['green', 'blue'], participants: ['a', 'b', 'c', 'd'] });
    // 2 votes each, 1.0 confidence each: the coordinator's choice, by default the first option listed.
    assert.equal(full.decidedBy, 'coordinator');
    assert.equal(full.decision, 'green');
    const chosen = await coordinator.consensus({ topic: 'colour', options: ['green', 'blue'], participants: ['a', 'b', 'c', 'd'], tieBreaker: () => 'blue' });
    assert.equal(chosen.decision, 'blue');

    const started = Date.now();
    const withMute = await coordinator.consensus({ topic: 'colour', options: ['green', 'blue'], participants: ['a', 'mute'], timeoutMs: 100 });
    assert.ok(Date.now() - started >= 90);
    assert.deepEqual(withMute.abstained, ['mute']);
    assert.equal(withMute.decision, 'blue');
  });

  test('model-backed agents: the task runs the agent loop with tools; the vote is the model’s validated position', async () => {
    const model = new ScriptedModel({ provider: 'openai' });
    model.enqueue(toolCallReply([{ id: 'c1', name: 'calculator', arguments: '{"expression":"25% of 1200"}' }]), reply('25% of 1200 is 300.'));
    const voterModel = new ScriptedModel({ provider: 'openai' });
    voterModel.enqueue(reply(JSON.stringify({ option: 'yes', confidence: 0.8, reasons: ['the sum checks out'] })), reply(JSON.stringify({ option: 'maybe', confidence: 1, reasons: ['x'] })));
    const { coordinator } = await setup([
      {
        name: 'mathematician',
        capabilities: ['maths'],
        handleTask: modelTaskHandler({ model, system: 'You compute.', tools: [createCalculatorTool()] }),
        vote: modelVoter({ model: voterModel }),
      },
    ]);
    const result = await coordinator.run({ goal: 'budget', subtasks: [{ id: 'pct', description: 'What is 25% of 1200?', requiredCapabilities: ['maths'] }] });
    const answer = result.subtasks[0]?.result as ModelTaskResult;
    assert.equal(answer.answer, '25% of 1200 is 300.');
    assert.deepEqual(answer.toolsUsed, ['calculator']);
    assert.match(JSON.stringify(model.calls[0]?.request.messages), /Task pct: What is 25% of 1200\?/);

    const agreed = await coordinator.consensus({ topic: 'Is the budget right?', options: ['yes', 'no'] });
    assert.equal(agreed.decision, 'yes');
    assert.deepEqual(agreed.votes[0]?.reasons, ['the sum checks out']);
    // An option that is not on the list is no vote at all.
    const invalid = await coordinator.consensus({ topic: 'Again?', options: ['yes', 'no'], timeoutMs: 200 });
    assert.equal(invalid.decidedBy, 'no_votes');
    assert.deepEqual(invalid.abstained, ['mathematician']);
  });
});
