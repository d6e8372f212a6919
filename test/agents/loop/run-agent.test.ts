import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { runAgent, resumeAgent } from '../../../src/agents/loop/run-agent.js';
import { defineTool } from '../../../src/agents/tools/define-tool.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';
import { ToolReliability } from '../../../src/agents/tools/tool-reliability.js';
import type { RunEvent } from '../../../src/agents/runs/run-event.js';
import type { AgentTool } from '../../../src/agents/tool.js';
import { ScriptedModel, hang, reply, toolCallReply } from '../../support/scripted-model.js';

const call = (id: string, name: string, args: unknown) => ({ id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });

function slowTool(name: string, ms: number, tracker: { active: number; max: number }): AgentTool {
  return defineTool({
    name,
    description: `waits ${ms} ms`,
    schema: z.object({ value: z.string() }),
    async execute({ value }) {
      tracker.active++;
      tracker.max = Math.max(tracker.max, tracker.active);
      await new Promise((r) => setTimeout(r, ms));
      tracker.active--;
      return `${name}:${value}`;
    },
  });
}

describe('runAgent', () => {
  test('answers "What is 25% of 1200?" through the calculator and sends its result back to the model', async () => {
    const model = new ScriptedModel({ script: [toolCallReply([call('c1', 'calculator', { expression: '25% of 1200' })]), reply('25% of 1200 is 300.')] });
    const events: RunEvent[] = [];
    const result = await runAgent({ model, tools: [createCalculatorTool()], input: 'What is 25% of 1200?', onEvent: (e) => void events.push(e) });
    assert.equal(result.status, 'completed');
    assert.equal(result.text, '25% of 1200 is 300.');
    assert.deepEqual(result.toolsUsed, ['calculator']);
    const second = model.calls[1]!.request.messages;
    const toolMessage = second.find((m) => m.role === 'tool');
    assert.deepEqual(toolMessage, { role: 'tool', toolCallId: 'c1', content: '300' });
    assert.equal(model.calls[0]!.request.tools?.[0]?.name, 'calculator');
    assert.deepEqual(model.calls[0]!.request.tools?.[0]?.parameters.required, ['expression']);
    assert.deepEqual(
      events.map((e) => e.type),
      ['run_started', 'model_call', 'tool_call', 'tool_result', 'model_call', 'final_answer'],
    );
    assert.deepEqual(events.map((e) => e.seq), [0, 1, 2, 3, 4, 5]);
  });

  test('parallel tool calls run concurrently and their results return in call order', async () => {
    const tracker = { active: 0, max: 0 };
    const model = new ScriptedModel({
      script: [toolCallReply([call('a', 'slow_a', { value: '1' }), call('b', 'slow_b', { value: '2' }), call('c', 'slow_a', { value: '3' })]), reply('done')],
    });
    const t0 = performance.now();
    const result = await runAgent({ model, tools: [slowTool('slow_a', 150, tracker), slowTool('slow_b', 150, tracker)], input: 'go' });
    const elapsed = performance.now() - t0;
    assert.equal(result.status, 'completed');
    assert.equal(tracker.max, 3);
    assert.ok(elapsed < 400, `three 150 ms calls took ${elapsed} ms: not concurrent`);
    const toolMessages = model.calls[1]!.request.messages.filter((m) => m.role === 'tool');
    assert.deepEqual(toolMessages.map((m) => m.content), ['slow_a:1', 'slow_b:2', 'slow_a:3']);
  });

  test('a throwing tool, invalid JSON, invalid arguments and an unknown tool all come back to the model as error results', async () => {
    const boom = defineTool({ name: 'boom', description: 'fails', schema: z.object({}), execute: () => Promise.reject(new Error('disk on fire')) });
    const model = new ScriptedModel({
      script: [
        toolCallReply([call('1', 'boom', {}), call('2', 'calculator', '{not json'), call('3', 'calculator', { expression: 42 }), call('4', 'rm_rf', { path: '/' })]),
        reply('sorry'),
      ],
    });
    const result = await runAgent({ model, tools: [boom, createCalculatorTool()], input: 'x' });
    assert.equal(result.status, 'completed');
    const tools = model.calls[1]!.request.messages.filter((m) => m.role === 'tool');
    assert.equal(tools.length, 4);
    assert.ok(tools.every((m) => m.role === 'tool' && m.isError === true));
    assert.match(String(tools[0]!.content), /disk on fire/);
    assert.match(String(tools[1]!.content), /not valid JSON/);
    assert.match(String(tools[2]!.content), /expression: .*string/i);
    assert.match(String(tools[3]!.content), /not available.*Available tools: boom, calculator/);
    assert.deepEqual(result.toolsUsed, ['boom']);
  });

  test('a tool that hangs is cut off by its timeout and retried per its policy; reliability is recorded', async () => {
    let attempts = 0;
    const flaky = defineTool({
      name: 'flaky',
      description: 'hangs first, then answers',
      schema: z.object({}),
      timeoutMs: 50,
      retry: { retries: 2, backoffMs: 5 },
      async execute() {
        attempts++;
        if (attempts === 1) await new Promise(() => undefined);
        return 'ok';
      },
    });
    const never = defineTool({ name: 'never', description: 'always hangs', schema: z.object({}), execute: () => new Promise(() => undefined) });
    const reliability = new ToolReliability();
    const model = new ScriptedModel({ script: [toolCallReply([call('1', 'flaky', {}), call('2', 'never', {})]), reply('fine')] });
    const result = await runAgent({ model, tools: [flaky, never], input: 'x', toolTimeoutMs: 60, reliability });
    assert.equal(result.status, 'completed');
    const tools = model.calls[1]!.request.messages.filter((m) => m.role === 'tool');
    assert.equal(tools[0]!.content, 'ok');
    assert.match(String(tools[1]!.content), /timed out after 60 ms/);
    assert.equal(attempts, 2);
    const flakyStats = reliability.stats('flaky');
    assert.equal(flakyStats.calls, 1);
    assert.equal(flakyStats.successRate, 1);
    assert.equal(flakyStats.retriedCalls, 1);
    assert.ok(flakyStats.p50LatencyMs >= 50);
    assert.equal(reliability.stats('never').successRate, 0);
  });

  test('max_steps stops a model that never stops calling tools', async () => {
    const model = new ScriptedModel({ whenEmpty: toolCallReply([call('x', 'calculator', { expression: '1+1' })]) });
    const result = await runAgent({ model, tools: [createCalculatorTool()], input: 'loop', limits: { maxSteps: 3 } });
    assert.equal(result.status, 'max_steps');
    assert.equal(result.steps, 3);
    assert.equal(model.callCount, 3);
  });

  test('deadline aborts a hanging model call; cancellation reports cancelled', async () => {
    const model = new ScriptedModel({ script: [hang()] });
    const t0 = performance.now();
    const result = await runAgent({ model, input: 'x', limits: { deadlineMs: 80 } });
    assert.equal(result.status, 'deadline');
    assert.ok(performance.now() - t0 < 1000);

    const controller = new AbortController();
    const model2 = new ScriptedModel({ script: [hang()] });
    setTimeout(() => controller.abort(), 30);
    const cancelled = await runAgent({ model: model2, input: 'x', signal: controller.signal });
    assert.equal(cancelled.status, 'cancelled');
  });

  test('token and cost budgets end the run as budget_exceeded before the next model call', async () => {
    const model = new ScriptedModel({ whenEmpty: toolCallReply([call('x', 'calculator', { expression: '2*2' })], { usage: { inputTokens: 60, outputTokens: 10 }, costUsd: 0.01 }) });
    const byTokens = await runAgent({ model, tools: [createCalculatorTool()], input: 'x', limits: { maxTokens: 100 } });
    assert.equal(byTokens.status, 'budget_exceeded');
    assert.equal(byTokens.steps, 2);
    const byCost = await runAgent({ model, tools: [createCalculatorTool()], input: 'x', limits: { maxCostUsd: 0.025 } });
    assert.equal(byCost.status, 'budget_exceeded');
    assert.equal(byCost.steps, 3);
  });

  test('a failing model call ends the run as failed with the error, never a throw', async () => {
    const model = new ScriptedModel({ script: [] });
    const result = await runAgent({ model, input: 'x' });
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.kind, 'internal');
  });

  test('stopWhen ends the run after the step it matches', async () => {
    const model = new ScriptedModel({ whenEmpty: toolCallReply([call('x', 'calculator', { expression: '6*7' })]) });
    const result = await runAgent({
      model,
      tools: [createCalculatorTool()],
      input: 'x',
      stopWhen: ({ toolResults }) => toolResults.some((r) => r.content === '42'),
    });
    assert.equal(result.status, 'completed');
    assert.equal(model.callCount, 1);
  });

  test('text protocol: a model without native tools calls the calculator through a fenced JSON block', async () => {
    const model = new ScriptedModel({
      capabilities: { tools: false },
      script: [reply('I will compute it.\n```json\n{"tool": "calculator", "arguments": {"expression": "25% of 1200",},}\n```'), reply('The answer is 300.')],
    });
    const result = await runAgent({ model, tools: [createCalculatorTool()], input: 'What is 25% of 1200?', system: 'Be brief.' });
    assert.equal(result.status, 'completed');
    assert.equal(result.text, 'The answer is 300.');
    const first = model.calls[0]!.request;
    assert.equal(first.tools, undefined);
    assert.match(String(first.messages[0]!.content), /Be brief\.[\s\S]*"tool": "<tool name>"[\s\S]*calculator/);
    const second = model.calls[1]!.request.messages;
    const last = second[second.length - 1]!;
    assert.equal(last.role, 'user');
    assert.match(String(last.content), /Result of tool "calculator" \(call text_1_0\):\n300/);
  });

  test('approval: the run pauses with its state; approve executes the tool, deny tells the model', async () => {
    let executed = 0;
    const transfer = defineTool({
      name: 'transfer',
      description: 'moves money',
      schema: z.object({ amount: z.number() }),
      requiresApproval: true,
      async execute({ amount }) {
        executed++;
        return `moved ${amount}`;
      },
    });
    for (const decision of ['approve', 'deny'] as const) {
      const model = new ScriptedModel({ script: [toolCallReply([call('t1', 'transfer', { amount: 5 }), call('c1', 'calculator', { expression: '1+1' })]), reply('all done')] });
      const tools = [transfer, createCalculatorTool()];
      const paused = await runAgent({ model, tools, input: 'pay' });
      assert.equal(paused.status, 'awaiting_approval');
      assert.equal(paused.pendingApprovals.length, 1);
      const approval = paused.pendingApprovals[0]!;
      assert.deepEqual(approval.args, { amount: 5 });
      const before = executed;
      const resumed = await resumeAgent({ model, tools }, structuredClone(paused.state), new Map([[approval.approvalId, { decision, by: 'alice', reason: 'checked' }]]));
      assert.equal(resumed.status, 'completed');
      const toolMessages = model.calls[1]!.request.messages.filter((m) => m.role === 'tool');
      assert.deepEqual(toolMessages.map((m) => m.role === 'tool' && m.toolCallId), ['t1', 'c1']);
      assert.equal(toolMessages[1]!.content, '2');
      if (decision === 'approve') {
        assert.equal(executed, before + 1);
        assert.equal(toolMessages[0]!.content, 'moved 5');
      } else {
        assert.equal(executed, before);
        assert.match(String(toolMessages[0]!.content), /denied by a human reviewer \(alice\).*Reason: checked/);
      }
    }
  });

  test('a numeric approval threshold pauses only calls whose risk reaches it', async () => {
    const write = defineTool({
      name: 'write',
      description: 'writes',
      schema: z.object({ overwrite: z.boolean() }),
      requiresApproval: 0.5,
      riskScore: ({ overwrite }) => (overwrite ? 0.9 : 0.1),
      execute: async () => 'written',
    });
    const model = new ScriptedModel({ script: [toolCallReply([call('a', 'write', { overwrite: false })]), toolCallReply([call('b', 'write', { overwrite: true })])] });
    const result = await runAgent({ model, tools: [write], input: 'x' });
    assert.equal(result.status, 'awaiting_approval');
    assert.equal(result.pendingApprovals[0]!.callId, 'b');
    assert.equal(result.pendingApprovals[0]!.riskScore, 0.9);
  });
});
