import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import { createAuditLog } from '../../../src/audit/index.js';
import { createSqlRunStore } from '../../../src/agents/runs/sql-run-store.js';
import { createAgentRuntime } from '../../../src/agents/runs/agent-runtime.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';
import { toolThenAnswer } from '../http/agent-scenarios.js';

const run = (argv: string[], cwd: string) => runCli(argv, { cwd });

describe('conduit runs list|show|approve|deny', () => {
  let upstream: FakeOpenAI;
  let dir: string;
  let runId: string;
  let approvalId: string;

  before(async () => {
    upstream = await startFakeOpenAI({ scenarios: toolThenAnswer('calculator', { expression: '25% of 1200' }, (r) => `It is ${r}.`) });
    dir = mkdtempSync(join(tmpdir(), 'conduit-runs-cli-'));
    writeFileSync(
      join(dir, 'conduit.yaml'),
      stringify({
        providers: { openai: { api_key: 'sk-test', base_url: upstream.url } },
        default_model: 'openai/gpt-4o-mini',
        reliability: { max_retries: 0, health_check_interval_ms: 0 },
        agents: { definitions: { ops: { tools: ['calculator'], require_approval: ['calculator'] } } },
      }),
    );
    // A run paused for approval, as `conduit serve` would have left it in the embedded database.
    const db = await openPGliteDatabase({ dataDir: join(dir, '.conduit', 'db') });
    const runtime = createAgentRuntime({
      store: await createSqlRunStore({ db }),
      audit: await createAuditLog({ db }),
      agents: [{ name: 'ops', model: createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'sk-test' }), tools: [createCalculatorTool()], requireApproval: ['calculator'] }],
    });
    const paused = await runtime.startRun('ops', { input: 'What is 25% of 1200?' });
    assert.equal(paused.status, 'awaiting_approval');
    runId = paused.runId;
    approvalId = paused.pendingApprovals[0]!.approvalId;
    await db.close();
  });
  after(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('list and show a paused run; approve resumes it; a conflicting deny fails', async () => {
    const list = await run(['runs', 'list', '--status', 'awaiting_approval'], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${runId}  ops  awaiting_approval`));

    const show = await run(['runs', 'show', runId], dir);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`pending approval ${approvalId}: calculator\\(\\{"expression":"25% of 1200"\\}\\)`));
    assert.match(show.stdout, /approval_requested/);

    const approve = await run(['runs', 'approve', runId, approvalId, '--user', 'dana', '--reason', 'ok'], dir);
    assert.equal(approve.code, 0, approve.stderr);
    assert.equal(approve.stdout, `${approvalId}: approved. Run ${runId} is completed: It is 300.\n`);

    const deny = await run(['runs', 'deny', runId, approvalId], dir);
    assert.equal(deny.code, 1);
    assert.match(deny.stderr, /already decided: approved/);
  });

  test('usage mistakes exit 2', async () => {
    assert.equal((await run(['runs'], dir)).code, 2);
    assert.equal((await run(['runs', 'approve', 'only-one'], dir)).code, 2);
    assert.equal((await run(['runs', 'list', '--status', 'sleeping'], dir)).code, 2);
  });
});
