import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { runCli } from '../support/cli.js';
import { OFFLINE_MESSAGE } from '../../src/models/providers/offline/index.js';
import { startFakeOpenAI } from '../fake-upstream/openai-upstream.js';

const run = (argv: string[], env: Record<string, string> = {}) => runCli(argv, { cwd: resolve('.'), env });

test('conduit prompts list and show read the repository registry', async () => {
  const list = await run(['prompts', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /support\/triage\s+1\.1\.0/);
  const show = await run(['prompts', 'show', 'support/triage@1.0.0']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /1\.0\.0/);
  const bad = await run(['prompts', 'frobnicate']);
  assert.equal(bad.code, 2);
});

test('conduit solve with no model configured says how to configure one and exits 1', async () => {
  const r = await run(['solve', 'What is 2+2?']);
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(OFFLINE_MESSAGE.split('\n')[0]!), r.stderr);
});

test('conduit solve runs the orchestrator on the configured model and corrects its arithmetic', async () => {
  const step = (s: object) => ({ kind: 'reply' as const, text: JSON.stringify(s), usage: { inputTokens: 50, outputTokens: 20 } });
  const fake = await startFakeOpenAI({
    scenarios: [
      step({ step_type: 'calculate', thought: 'Monthly compounding', action: 'calculate: 1000*(1+0.05/12)^24', result: '1104.90', next_step_needed: true }),
      step({ step_type: 'final_answer', thought: 'Done', action: 'report', result: '$1,104.94', next_step_needed: false }),
    ],
  });
  try {
    const r = await run(['solve', '--max-steps', '4', '$1000 at 5% compounded monthly for 2 years?'], { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, CONDUIT_MODEL: 'openai/gpt-4o-mini' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1104\.94/);
    assert.match(r.stdout, /1,104\.94/);
    assert.equal(fake.requests.filter((q) => q.path.endsWith('/chat/completions')).length, 2);
  } finally {
    await fake.close();
  }
});
