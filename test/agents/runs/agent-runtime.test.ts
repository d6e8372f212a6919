import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { createAuditLog, type AuditLog } from '../../../src/audit/index.js';
import { createSqlRunStore } from '../../../src/agents/runs/sql-run-store.js';
import { createAgentRuntime } from '../../../src/agents/runs/agent-runtime.js';
import { APPROVAL_AUDIT_ACTION } from '../../../src/agents/approvals/approval-audit.js';
import { defineTool } from '../../../src/agents/tools/define-tool.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';
import type { AgentDefinition } from '../../../src/agents/runs/agent-definition.js';
import { ScriptedModel, reply, toolCallReply } from '../../support/scripted-model.js';

const call = (id: string, name: string, args: unknown) => ({ id, name, arguments: JSON.stringify(args) });

describe('agent runtime: approvals, audit and resume from the store', () => {
  let db: SqlDatabase;
  let audit: AuditLog;
  const deletions: string[] = [];
  const deleteTool = defineTool({
    name: 'delete_record',
    description: 'deletes a record',
    schema: z.object({ id: z.string() }),
    requiresApproval: true,
    async execute({ id }) {
      deletions.push(id);
      return `deleted ${id}`;
    },
  });
  const agentWith = (model: ScriptedModel): AgentDefinition => ({ name: 'ops', model, system: 'You run operations.', tools: [deleteTool, createCalculatorTool()] });

  before(async () => {
    db = await openPGliteDatabase();
    audit = await createAuditLog({ db });
  });
  after(() => db.close());

  test('pause → approve (by a runtime that shares nothing but the database) → the tool runs and the run completes; the decision is audited', async () => {
    const model = new ScriptedModel({ script: [toolCallReply([call('d1', 'delete_record', { id: 'r-7' })])] });
    const runtime = createAgentRuntime({ store: await createSqlRunStore({ db }), audit, agents: [agentWith(model)] });
    const paused = await runtime.startRun('ops', { input: 'delete r-7' });
    assert.equal(paused.status, 'awaiting_approval');
    assert.deepEqual(deletions, []);
    const [approval] = await runtime.listApprovals(paused.runId);
    assert.equal(approval?.tool, 'delete_record');

    // A "restarted process": new store object, new model object, same database.
    const model2 = new ScriptedModel({ script: [reply('Record r-7 is deleted.')] });
    const runtime2 = createAgentRuntime({ store: await createSqlRunStore({ db }), audit, agents: [agentWith(model2)] });
    const outcome = await runtime2.decideApproval(paused.runId, approval!.approvalId, { decision: 'approve', by: 'alice', reason: 'ticket 42' });
    assert.equal(outcome.run.status, 'completed');
    assert.equal(outcome.run.finalText, 'Record r-7 is deleted.');
    assert.deepEqual(deletions, ['r-7']);
    assert.deepEqual(outcome.run.toolsUsed, ['delete_record']);
    // The resumed model saw the whole conversation and the approved call's result.
    const seen = model2.calls[0]!.request.messages;
    assert.equal(seen[0]!.role, 'system');
    assert.deepEqual(seen.at(-1), { role: 'tool', toolCallId: 'd1', content: 'deleted r-7' });

    const events = await runtime2.listEvents(paused.runId);
    assert.deepEqual(events.map((e) => e.type), ['run_started', 'model_call', 'tool_call', 'approval_requested', 'run_paused', 'run_resumed', 'approval_decided', 'tool_result', 'model_call', 'final_answer']);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i));

    const entries = (await audit.query({ action: APPROVAL_AUDIT_ACTION })).entries.filter((e) => e.resource === `agent-run:${paused.runId}`);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor, 'alice');
    assert.equal(entries[0]!.outcome, 'approved');
    assert.deepEqual(entries[0]!.details, { runId: paused.runId, approvalId: approval!.approvalId, agent: 'ops', tool: 'delete_record', callId: 'd1', decision: 'approve' });
    assert.deepEqual(entries[0]!.personal, { reason: 'ticket 42' });
    assert.equal((await audit.verify()).ok, true);

    // Repeating the same decision is idempotent; the opposite one is a 409 conflict.
    const again = await runtime2.decideApproval(paused.runId, approval!.approvalId, { decision: 'approve', by: 'alice' });
    assert.equal(again.result, undefined);
    assert.deepEqual(deletions, ['r-7']);
    await assert.rejects(runtime2.decideApproval(paused.runId, approval!.approvalId, { decision: 'deny', by: 'mallory' }), { status: 409, code: 'approval_already_decided' });
    assert.equal((await audit.query({ action: APPROVAL_AUDIT_ACTION })).entries.filter((e) => e.resource === `agent-run:${paused.runId}`).length, 1);
  });

  test('deny: the tool never runs and the model is told; with two pending approvals the run resumes only after both', async () => {
    const model = new ScriptedModel({ script: [toolCallReply([call('a', 'delete_record', { id: 'x1' }), call('b', 'delete_record', { id: 'x2' })]), reply('Deleted x2 only; x1 was denied.')] });
    const runtime = createAgentRuntime({ store: await createSqlRunStore({ db }), audit, agents: [agentWith(model)] });
    const before = deletions.length;
    const paused = await runtime.startRun('ops', { input: 'delete both' });
    const approvals = await runtime.listApprovals(paused.runId);
    assert.equal(approvals.length, 2);
    const first = await runtime.decideApproval(paused.runId, paused.pendingApprovals[0]!.approvalId, { decision: 'deny', by: 'bob', reason: 'keep x1' });
    assert.equal(first.run.status, 'awaiting_approval');
    assert.equal(first.result, undefined);
    const second = await runtime.decideApproval(paused.runId, paused.pendingApprovals[1]!.approvalId, { decision: 'approve', by: 'bob' });
    assert.equal(second.run.status, 'completed');
    assert.deepEqual(deletions.slice(before), ['x2']);
    const tools = model.calls[1]!.request.messages.filter((m) => m.role === 'tool');
    assert.match(String(tools[0]!.content), /denied by a human reviewer \(bob\).*keep x1/);
    assert.equal(tools[1]!.content, 'deleted x2');
    const replay = await runtime.replay(paused.runId);
    assert.deepEqual(replay.messages, (await runtime.store.loadState(paused.runId))?.messages);
  });

  test('unknown runs, approvals and agents are not_found; a tool outside the agent allow-list is refused', async () => {
    const runtime = createAgentRuntime({ store: await createSqlRunStore({ db }), audit, agents: [agentWith(new ScriptedModel())] });
    await assert.rejects(runtime.getRun('run_missing'), { kind: 'not_found' });
    await assert.rejects(runtime.startRun('nobody', { input: 'x' }), { kind: 'not_found', code: 'agent_not_found' });
    await assert.rejects(runtime.startRun('ops', { input: 'x', toolNames: ['shell'] }), { kind: 'permission', code: 'tool_not_allowed' });
    await assert.rejects(runtime.decideApproval('run_missing', 'apr', { decision: 'approve', by: 'a' }), { kind: 'not_found' });
  });
});
