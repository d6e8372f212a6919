import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { createAuditLog, type AuditLog } from '../../../src/audit/index.js';
import { createSqlRunStore } from '../../../src/agents/runs/sql-run-store.js';
import { createAgentRuntime } from '../../../src/agents/runs/agent-runtime.js';
import { createAgentRoutes } from '../../../src/agents/http/agent-routes.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';
import { APPROVAL_AUDIT_ACTION } from '../../../src/agents/approvals/approval-audit.js';
import { toolThenAnswer } from './agent-scenarios.js';

interface WireMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}

describe('agent HTTP routes on a real gateway, model behind the fake OpenAI upstream', () => {
  let upstream: FakeOpenAI;
  let gateway: Harness;
  let db: SqlDatabase;
  let audit: AuditLog;

  before(async () => {
    upstream = await startFakeOpenAI({ scenarios: toolThenAnswer('calculator', { expression: '25% of 1200' }, (r) => `25% of 1200 is ${r}.`) });
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'test' });
    db = await openPGliteDatabase();
    audit = await createAuditLog({ db });
    const runtime = createAgentRuntime({
      store: await createSqlRunStore({ db }),
      audit,
      agents: [
        { name: 'chat', model, modelName: 'gpt-4o-mini', system: 'You are helpful. Use the calculator for arithmetic.', tools: [createCalculatorTool()] },
        { name: 'ops', model, tools: [createCalculatorTool()], requireApproval: ['calculator'] },
      ],
    });
    gateway = await startGateway({}, {}, { appRoutes: [createAgentRoutes({ runtime })] });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
    await db.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  test('POST /v1/chat: "What is 25% of 1200?" is answered 300 through the calculator', async () => {
    const before = upstream.requests.length;
    const res = await post('/v1/chat', { message: 'What is 25% of 1200?', enable_tools: true });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { response: string; tools_used: string[]; status: string; run_id: string };
    assert.match(body.response, /\b300\b/);
    assert.deepEqual(body.tools_used, ['calculator']);
    assert.equal(body.status, 'completed');
    const calls = upstream.requests.slice(before).filter((r) => r.path.startsWith('/v1/chat/completions'));
    assert.equal(calls.length, 2);
    const first = calls[0]!.body as { tools: { function: { name: string } }[] };
    assert.equal(first.tools[0]!.function.name, 'calculator');
    const second = calls[1]!.body as { messages: WireMessage[] };
    const toolMessage = second.messages.find((m) => m.role === 'tool');
    assert.equal(toolMessage?.content, '300');

    const run = (await (await fetch(`${gateway.url}/v1/runs/${body.run_id}`)).json()) as { status: string; output: string; events: { type: string }[] };
    assert.equal(run.status, 'completed');
    assert.equal(run.output, body.response);
    assert.deepEqual(run.events.map((e) => e.type), ['run_started', 'model_call', 'tool_call', 'tool_result', 'model_call', 'final_answer']);
  });

  test('POST /v1/chat with enable_tools false offers no tools', async () => {
    const before = upstream.requests.length;
    const body = (await (await post('/v1/chat', { message: 'What is 25% of 1200?', enable_tools: false })).json()) as { response: string; tools_used: string[] };
    assert.deepEqual(body.tools_used, []);
    assert.equal(body.response, 'I cannot use tools right now.');
    assert.equal((upstream.requests[before]!.body as { tools?: unknown }).tools, undefined);
  });

  test('POST /v1/agents/{name}/runs streams the run events as SSE', async () => {
    const res = await post('/v1/agents/chat/runs', { input: 'What is 25% of 1200?', stream: true });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(events, ['run_started', 'model_call', 'tool_call', 'tool_result', 'model_call', 'final_answer', 'run']);
    assert.ok(text.trimEnd().endsWith('data: [DONE]'));
    const runData = /event: run\ndata: (.*)\n/.exec(text)![1]!;
    assert.equal((JSON.parse(runData) as { status: string }).status, 'completed');
  });

  test('GET /v1/runs/{id} with Accept: text/event-stream replays the stored events, then the run', async () => {
    const started = (await (await post('/v1/agents/chat/runs', { input: 'What is 25% of 1200?' })).json()) as { id: string };
    const res = await fetch(`${gateway.url}/v1/runs/${started.id}?after_seq=2`, { headers: { accept: 'text/event-stream' } });
    assert.equal(res.status, 200);
    const text = await res.text();
    const seqs = [...text.matchAll(/"seq":(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(seqs, [3, 4, 5]);
    assert.deepEqual([...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]), ['tool_result', 'model_call', 'final_answer', 'run']);
  });

  test('approval over HTTP: the run pauses, approving resumes it to completion, the decision is audited', async () => {
    const started = await post('/v1/agents/ops/runs', { input: 'What is 25% of 1200?' });
    const paused = (await started.json()) as { id: string; status: string; pending_approvals: { id: string; tool: string; arguments: unknown }[] };
    assert.equal(paused.status, 'awaiting_approval');
    assert.equal(paused.pending_approvals.length, 1);
    assert.equal(paused.pending_approvals[0]!.tool, 'calculator');
    assert.deepEqual(paused.pending_approvals[0]!.arguments, { expression: '25% of 1200' });
    const approvalId = paused.pending_approvals[0]!.id;

    const bad = await post(`/v1/runs/${paused.id}/approvals/${approvalId}`, { decision: 'maybe' });
    assert.equal(bad.status, 400);

    const decided = await post(`/v1/runs/${paused.id}/approvals/${approvalId}`, { decision: 'approve', reason: 'fine', by: 'carol' });
    assert.equal(decided.status, 200);
    const run = (await decided.json()) as { status: string; output: string; tools_used: string[]; pending_approvals: unknown[] };
    assert.equal(run.status, 'completed');
    assert.equal(run.output, '25% of 1200 is 300.');
    assert.deepEqual(run.tools_used, ['calculator']);
    assert.deepEqual(run.pending_approvals, []);

    const conflict = await post(`/v1/runs/${paused.id}/approvals/${approvalId}`, { decision: 'deny' });
    assert.equal(conflict.status, 409);
    const entries = (await audit.query({ action: APPROVAL_AUDIT_ACTION })).entries;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor, 'carol');
    assert.equal(entries[0]!.resource, `agent-run:${paused.id}`);
  });

  test('errors: unknown agent, run and approval are 404; a tool outside the allow-list is 403; bad bodies are 400', async () => {
    assert.equal((await post('/v1/agents/nobody/runs', { input: 'x' })).status, 404);
    assert.equal((await fetch(`${gateway.url}/v1/runs/run_missing`)).status, 404);
    assert.equal((await post('/v1/runs/run_missing/approvals/apr_x', { decision: 'approve' })).status, 404);
    assert.equal((await post('/v1/agents/chat/runs', { input: 'x', tools: ['shell'] })).status, 403);
    assert.equal((await post('/v1/agents/chat/runs', {})).status, 400);
    assert.equal((await post('/v1/chat', { message: 42 })).status, 400);
    assert.equal((await fetch(`${gateway.url}/v1/chat`)).status, 405);
    const list = (await (await fetch(`${gateway.url}/v1/runs?agent=ops`)).json()) as { data: { agent: string }[] };
    assert.ok(list.data.length >= 1 && list.data.every((r) => r.agent === 'ops'));
    const agents = (await (await fetch(`${gateway.url}/v1/agents`)).json()) as { data: { name: string; tools: string[] }[] };
    assert.deepEqual(agents.data.map((a) => a.name), ['chat', 'ops']);
  });
});
