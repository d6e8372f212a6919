/**
 * The durability promise of approvals, end to end: a run of a real `conduit serve` pauses for
 * approval, the process is killed with SIGKILL (no shutdown hook runs), a new process is started on
 * the same data directory, and approving through its API resumes the run to completion — the
 * approved tool runs once, the model sees the whole conversation, and the decision is audited.
 *
 * Runs bin/conduit.js on the compiled dist/ (`npm run build` first, as for test/e2e).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConduit, type ConduitProcess } from '../../e2e/support/conduit-process.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import { createAuditLog } from '../../../src/audit/index.js';
import { APPROVAL_AUDIT_ACTION } from '../../../src/agents/approvals/approval-audit.js';
import { toolThenAnswer } from './agent-scenarios.js';

interface RunJson {
  id: string;
  status: string;
  output: string | null;
  tools_used: string[];
  pending_approvals: { id: string; tool: string; arguments: Record<string, unknown> }[];
  events?: { type: string; seq: number }[];
}

describe('approval survives kill -9 of conduit serve', () => {
  let upstream: FakeOpenAI;
  let stateDir: string;
  const processes: ConduitProcess[] = [];

  before(async () => {
    upstream = await startFakeOpenAI({ scenarios: toolThenAnswer('calculator', { expression: '25% of 1200' }, (r) => `Approved and computed: ${r}.`) });
    stateDir = mkdtempSync(join(tmpdir(), 'conduit-agent-restart-'));
  });
  after(async () => {
    for (const p of processes) await p.stop();
    await upstream.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const config = () => ({
    server: { host: '127.0.0.1', port: 0 },
    providers: { openai: { api_key: 'sk-upstream', base_url: upstream.url } },
    default_model: 'openai/gpt-4o-mini',
    reliability: { max_retries: 0, health_check_interval_ms: 0 },
    storage: { state_dir: stateDir },
    logging: { level: 'warn' },
    agents: {
      definitions: {
        ops: { model: 'openai/gpt-4o-mini', system: 'Compute carefully.', tools: ['calculator'], require_approval: ['calculator'] },
      },
    },
  });

  test('pause → SIGKILL → restart on the same data dir → approve via the API → the run completes', async () => {
    const first = await startConduit(config());
    processes.push(first);
    const started = await fetch(`${first.url}/v1/agents/ops/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'What is 25% of 1200?' }) });
    assert.equal(started.status, 200, await started.clone().text());
    const paused = (await started.json()) as RunJson;
    assert.equal(paused.status, 'awaiting_approval');
    assert.equal(paused.pending_approvals[0]?.tool, 'calculator');
    const upstreamCallsBefore = upstream.requests.filter((r) => r.path.startsWith('/v1/chat/completions')).length;

    process.kill(first.pid!, 'SIGKILL');
    await first.stop();

    const second = await startConduit(config());
    processes.push(second);
    const shown = (await (await fetch(`${second.url}/v1/runs/${paused.id}`)).json()) as RunJson;
    assert.equal(shown.status, 'awaiting_approval');
    assert.equal(shown.pending_approvals[0]?.id, paused.pending_approvals[0]!.id);

    const decided = await fetch(`${second.url}/v1/runs/${paused.id}/approvals/${paused.pending_approvals[0]!.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', reason: 'verified after restart', by: 'oncall' }),
    });
    assert.equal(decided.status, 200, await decided.clone().text());
    const done = (await decided.json()) as RunJson;
    assert.equal(done.status, 'completed');
    assert.equal(done.output, 'Approved and computed: 300.');
    assert.deepEqual(done.tools_used, ['calculator']);

    // Exactly one more model call, and it carried the restored conversation plus the approved result.
    const chatCalls = upstream.requests.filter((r) => r.path.startsWith('/v1/chat/completions'));
    assert.equal(chatCalls.length, upstreamCallsBefore + 1);
    const resumedMessages = (chatCalls.at(-1)!.body as { messages: { role: string; content: unknown }[] }).messages;
    assert.deepEqual(resumedMessages.map((m) => m.role), ['system', 'user', 'assistant', 'tool']);
    assert.equal(resumedMessages[1]!.content, 'What is 25% of 1200?');
    assert.equal(resumedMessages[3]!.content, '300');

    const final = (await (await fetch(`${second.url}/v1/runs/${paused.id}`)).json()) as RunJson;
    assert.deepEqual(final.events?.map((e) => e.type), ['run_started', 'model_call', 'tool_call', 'approval_requested', 'run_paused', 'run_resumed', 'approval_decided', 'tool_result', 'model_call', 'final_answer']);
    assert.deepEqual(final.events?.map((e) => e.seq), final.events?.map((_, i) => i));
    await second.stop();

    // The decision is in the hash-chained audit log of that data directory, and the chain verifies.
    const db = await openPGliteDatabase({ dataDir: join(stateDir, 'db') });
    try {
      const audit = await createAuditLog({ db });
      const entries = (await audit.query({ action: APPROVAL_AUDIT_ACTION })).entries;
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.actor, 'oncall');
      assert.equal(entries[0]!.outcome, 'approved');
      assert.equal((await audit.verify()).ok, true);
    } finally {
      await db.close();
    }
  });
});
