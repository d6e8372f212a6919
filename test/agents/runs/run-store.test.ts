import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseFactories } from '../../support/databases.js';
import { createSqlRunStore } from '../../../src/agents/runs/sql-run-store.js';
import type { RunStore } from '../../../src/agents/runs/run-store.js';
import type { RunEvent } from '../../../src/agents/runs/run-event.js';
import { runAgent } from '../../../src/agents/loop/run-agent.js';
import { replayRun } from '../../../src/agents/runs/replay.js';
import { followRun } from '../../../src/agents/runs/follow-run.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';
import { ScriptedModel, reply, toolCallReply } from '../../support/scripted-model.js';

const call = (id: string, name: string, args: unknown) => ({ id, name, arguments: JSON.stringify(args) });

for (const factory of databaseFactories) {
  describe(`RunStore conformance (${factory.name})`, () => {
    let store: RunStore;
    let dispose: () => Promise<void>;
    before(async () => {
      const opened = await factory.open();
      dispose = opened.dispose;
      store = await createSqlRunStore({ db: opened.db });
      // Migrations are idempotent: a second store on the same database is fine.
      await createSqlRunStore({ db: opened.db });
    });
    after(() => dispose());

    test('a run with tools is persisted: record, ordered events, idempotent appends, exact replay', async () => {
      const model = new ScriptedModel({ script: [toolCallReply([call('c1', 'calculator', { expression: '25% of 1200' }), call('c2', 'calculator', { expression: '2+2' })]), reply('300 and 4')] });
      const streamed: RunEvent[] = [];
      const result = await runAgent({ model, tools: [createCalculatorTool()], input: 'compute', system: 'sys', agent: 'math', store, onEvent: (e) => void streamed.push(e) });
      assert.equal(result.status, 'completed');

      const run = await store.getRun(result.runId);
      assert.equal(run?.status, 'completed');
      assert.equal(run?.agent, 'math');
      assert.equal(run?.input, 'compute');
      assert.equal(run?.finalText, '300 and 4');
      assert.equal(run?.steps, 2);
      assert.deepEqual(run?.toolsUsed, ['calculator']);
      assert.equal(run?.usage.inputTokens, 20);

      const events = await store.listEvents(result.runId);
      assert.deepEqual(events.map((e) => e.seq), streamed.map((e) => e.seq));
      assert.deepEqual(events.map((e) => e.type), ['run_started', 'model_call', 'tool_call', 'tool_call', 'tool_result', 'tool_result', 'model_call', 'final_answer']);
      assert.deepEqual(events, streamed);

      // Re-appending (a retry after a crash) changes nothing.
      await store.appendEvents(streamed.slice(2, 5));
      assert.equal((await store.listEvents(result.runId)).length, events.length);
      assert.deepEqual((await store.listEvents(result.runId, { afterSeq: 5 })).map((e) => e.seq), [6, 7]);

      const replay = replayRun(events);
      assert.deepEqual(replay.messages, result.messages);
      assert.equal(replay.status, 'completed');
      assert.equal(replay.finalText, '300 and 4');
      assert.deepEqual(replay.toolsUsed, ['calculator']);
      assert.match(replay.transcript, /tool_result calculator id=c1 executed \d+ms: "300"/);

      const state = await store.loadState(result.runId);
      assert.deepEqual(state?.messages, result.messages);
    });

    test('approvals: created pending, decided once, later decisions return the stored record', async () => {
      await store.createRun({ id: 'run-appr', agent: 'a', input: 'x' });
      await store.createApprovals([{ approvalId: 'ap1', runId: 'run-appr', callId: 'c', tool: 't', args: { n: 1 }, riskScore: 0.7 }]);
      await store.createApprovals([{ approvalId: 'ap1', runId: 'run-appr', callId: 'c', tool: 't', args: { n: 1 } }]);
      const pending = await store.getApproval('run-appr', 'ap1');
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.riskScore, 0.7);
      assert.deepEqual(pending?.args, { n: 1 });
      const first = await store.decideApproval('run-appr', 'ap1', { decision: 'deny', by: 'bob', reason: 'no' });
      assert.equal(first.status, 'denied');
      assert.equal(first.decidedBy, 'bob');
      const second = await store.decideApproval('run-appr', 'ap1', { decision: 'approve', by: 'eve' });
      assert.equal(second.status, 'denied');
      assert.equal(second.decidedBy, 'bob');
      await assert.rejects(store.decideApproval('run-appr', 'nope', { decision: 'approve', by: 'x' }), { kind: 'not_found' });
      assert.equal((await store.listApprovals('run-appr')).length, 1);
    });

    test('claimForResume lets exactly one resumer win', async () => {
      const model = new ScriptedModel({ script: [toolCallReply([call('c', 'calculator', { expression: '1+1' })])] });
      const paused = await runAgent({ model, tools: [createCalculatorTool()], requireApproval: ['calculator'], input: 'x', store });
      assert.equal(paused.status, 'awaiting_approval');
      assert.equal((await store.getRun(paused.runId))?.status, 'awaiting_approval');
      assert.equal((await store.listApprovals(paused.runId))[0]?.status, 'pending');
      const claims = await Promise.all([store.claimForResume(paused.runId), store.claimForResume(paused.runId), store.claimForResume(paused.runId)]);
      assert.deepEqual(claims.filter(Boolean).length, 1);
      assert.equal((await store.getRun(paused.runId))?.status, 'running');
    });

    test('listRuns filters by status and agent; followRun streams until the run settles', async () => {
      const model = new ScriptedModel({ script: [reply('hi')] });
      const done = await runAgent({ model, input: 'x', agent: 'lister', store });
      const listed = await store.listRuns({ agent: 'lister' });
      assert.deepEqual(listed.map((r) => r.id), [done.runId]);
      assert.ok((await store.listRuns({ status: 'completed' })).some((r) => r.id === done.runId));
      const followed: RunEvent[] = [];
      for await (const e of followRun(store, done.runId, { pollMs: 10 })) followed.push(e);
      assert.deepEqual(followed.map((e) => e.type), ['run_started', 'model_call', 'final_answer']);
      const tail: RunEvent[] = [];
      for await (const e of followRun(store, done.runId, { afterSeq: 1, pollMs: 10 })) tail.push(e);
      assert.deepEqual(tail.map((e) => e.seq), [2]);
    });
  });
}
