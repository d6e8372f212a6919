import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import { lastUserText } from './harness.js';
import { createTestSchema } from '../../support/databases.js';
import { runCli } from '../../support/cli.js';
import { openPgDatabase } from '../../../src/store/postgres/pg-database.js';
import { SqlTraceStore } from '../../../src/observability/tracing/sql-trace-store.js';

const REPO = join(import.meta.dirname, '../../..');
let upstream: FakeOpenAI;
let cwd: string;
let env: Record<string, string>;
let dropSchema: () => Promise<void>;

before(async () => {
  // Echoes the question, so suites can check answers without a script.
  upstream = await startFakeOpenAI({ scenarios: (req) => ({ kind: 'reply', text: `Answer: ${lastUserText(req.body)}` }) });
  cwd = mkdtempSync(join(tmpdir(), 'conduit-eval-cli-'));
  // The results store on PostgreSQL (DATABASE_URL) here; the example-suite test below uses the embedded default.
  const schema = await createTestSchema();
  dropSchema = schema.drop;
  env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: upstream.url, DATABASE_URL: schema.url };
  writeFileSync(join(cwd, 'conduit.yaml'), 'models:\n  fast: gpt-4o-mini\nreliability:\n  max_retries: 0\n');
});
after(async () => {
  await upstream.close();
  await dropSchema();
  rmSync(cwd, { recursive: true, force: true });
});

// `env` is read per call: it is set in before(), after this module is evaluated.
const run = (argv: string[], options: { cwd?: string } = {}) => runCli(argv, { cwd: options.cwd ?? cwd, env });

const chatCalls = () => upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

function suiteYaml(expected: string): string {
  return `name: capitals
prompts:
  - template: "Capital of {{country}}?"
models: [fast, gpt-4o]
defaults:
  assert:
    - type: latency
      max_ms: 10000
    - type: cost
      max_usd: 0.01
cases:
  - name: france
    vars: { country: France }
    assert:
      - type: icontains
        value: "${expected}"
  - name: spain
    vars: { country: Spain }
    assert:
      - type: regex
        value: "Spain\\\\?$"
`;
}

type Node = Record<string, unknown>;

describe('conduit eval', () => {
  test('a passing suite exits 0 and writes JUnit and Markdown; the second run is served from the cache', async () => {
    writeFileSync(join(cwd, 'pass.yaml'), suiteYaml('capital of france'));
    const calls = chatCalls();
    const first = await run(['eval', 'run', 'pass.yaml', '--junit', 'junit.xml', '--markdown', 'report.md']);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.equal(chatCalls() - calls, 4);
    assert.match(first.stdout, /^prompt-1 +fast +2 +0 +0 +0 /m);
    assert.match(first.stdout, /^PASS capitals: 4\/4 jobs passed \(0 failed, 0 errors, 0 cached\), 12\/12 assertions/m);
    const xml = readFileSync(join(cwd, 'junit.xml'), 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const root = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: Node }).testsuites;
    assert.deepEqual([root.tests, root.failures, root.errors], ['4', '0', '0']);
    assert.match(readFileSync(join(cwd, 'report.md'), 'utf8'), /^# Eval: capitals — ✅ passed$/m);

    const second = await run(['eval', 'run', 'pass.yaml']);
    assert.equal(second.code, 0);
    assert.equal(chatCalls() - calls, 4, 'the cache answered: no new upstream call');
    assert.match(second.stdout, /4\/4 jobs passed \(0 failed, 0 errors, 4 cached\)/);

    const fresh = await run(['eval', 'run', 'pass.yaml', '--no-cache']);
    assert.equal(fresh.code, 0);
    assert.equal(chatCalls() - calls, 8, '--no-cache calls the models again');
  });

  test('a failing suite exits 1 and the JUnit report counts the failures', async () => {
    writeFileSync(join(cwd, 'fail.yaml'), suiteYaml('Madrid'));
    const r = await run(['eval', 'run', 'fail.yaml', '--junit', 'fail.xml', '--json']);
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { summary: { failed: number; passed: number } };
    assert.deepEqual([parsed.summary.passed, parsed.summary.failed], [2, 2]);
    const xml = readFileSync(join(cwd, 'fail.xml'), 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const root = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: Node }).testsuites;
    assert.deepEqual([root.tests, root.failures, root.errors], ['4', '2', '0']);
    const failures = (root.testsuite as Node[]).flatMap((s) => (s.testcase as Node[]).filter((c) => c.failure !== undefined).map((c) => c.name));
    assert.deepEqual(failures, ['france', 'france']);
  });

  test('usage mistakes and invalid suites exit 2 without calling a model', async () => {
    const calls = chatCalls();
    writeFileSync(join(cwd, 'bad.yaml'), 'prompts: [{template: "x {{y}}"}]\nmodels: [fast]\nrepeat: 0\ncases:\n  - vars: {y: 1}\n    assert: [{type: latency, max_ms: -5}]\n');
    writeFileSync(join(cwd, 'unknown-model.yaml'), 'prompts: [{template: "x"}]\nmodels: [no-such-model-1]\ncases: [{assert: [{type: contains, value: x}]}]\n');
    const cases: [string[], RegExp][] = [
      [['eval'], /'conduit eval' expects: run <suite\.yaml> \| history \| from-traces/],
      [['eval', 'run'], /expects one suite file/],
      [['eval', 'run', 'missing.yaml'], /cannot read suite/],
      [['eval', 'run', 'bad.yaml'], /bad\.yaml: repeat: .*\(line 3\)\n.*bad\.yaml: cases\[0\]\.assert\[0\]\.max_ms: .*\(line 6\)/],
      [['eval', 'run', 'unknown-model.yaml'], /models\[0\]: .*no-such-model-1/],
      [['eval', 'run', 'pass.yaml', '--concurrency', '0'], /--concurrency expects a positive integer/],
      [['eval', 'history', '--junit', 'x'], /^$/],
    ];
    for (const [argv, message] of cases.slice(0, -1)) {
      const r = await run(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
    const option = await run(['chat', 'x', '--junit', 'a.xml']);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /option '--junit' does not apply to 'conduit chat'/);
    assert.equal(chatCalls(), calls);
  });

  test('history lists the recorded runs, newest first', async () => {
    const r = await run(['eval', 'history', '--suite', 'capitals', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const runs = JSON.parse(r.stdout) as { suite: string; summary: { failed: number; cached: number } }[];
    assert.ok(runs.length >= 4);
    assert.ok(runs.every((x) => x.suite === 'capitals'));
    assert.equal(runs[0]?.summary.failed, 2, 'the failing run was the last one');
    const text = await run(['eval', 'history', '--limit', '2']);
    assert.equal(text.stdout.trim().split('\n').length, 2);
    assert.match(text.stdout, /^\S+ {2}FAIL {2}capitals {2}2\/4 passed/);
  });

  test('from-traces writes a suite that runs against the observed outputs', async () => {
    const traces = [
      { id: 'q1', input: [{ role: 'user', content: 'Capital of Italy?' }], output: 'Answer: Capital of Italy?', model: 'gpt-4o-mini', metadata: { route: 'qa' } },
      { id: 'q2', input: [{ role: 'user', content: 'Capital of Peru?' }], output: 'Answer: Capital of Peru?', model: 'gpt-4o-mini', metadata: { route: 'other' } },
    ];
    writeFileSync(join(cwd, 'traces.jsonl'), traces.map((t) => JSON.stringify(t)).join('\n'));
    const made = await run(['eval', 'from-traces', '--from', 'traces.jsonl', '--where', 'route=qa', '-o', 'from-traces.yaml']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /Wrote 1 cases to from-traces\.yaml/);
    const yaml = readFileSync(join(cwd, 'from-traces.yaml'), 'utf8');
    assert.match(yaml, /reference: "?Answer: Capital of Italy\?/);
    const r = await run(['eval', 'run', 'from-traces.yaml']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS from-traces: 1\/1 jobs passed/);
    const missing = await run(['eval', 'from-traces']);
    assert.equal(missing.code, 2);
    writeFileSync(join(cwd, 'broken.jsonl'), '{"output": 1}\n');
    const broken = await run(['eval', 'from-traces', '--from', 'broken.jsonl']);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.jsonl:1: /);
  });

  test('from-traces --from store reads model spans with captured content from the trace store', async () => {
    const db = await openPgDatabase({ connectionString: env.DATABASE_URL ?? '' });
    try {
      const store = await SqlTraceStore.open(db, { pruneIntervalMs: 0 });
      const traceId = 'c'.repeat(32);
      const base = { traceId, events: [], status: 'ok' as const, statusMessage: undefined, startTimeMs: Date.now() - 1000, endTimeMs: Date.now() };
      await store.export([
        { ...base, spanId: '1'.repeat(16), parentSpanId: undefined, name: 'POST /v1/chat/completions', kind: 'server', attributes: { 'http.response.status_code': 200 } },
        {
          ...base,
          spanId: '2'.repeat(16),
          parentSpanId: '1'.repeat(16),
          name: 'chat gpt-4o-mini',
          kind: 'client',
          attributes: {
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: 'Capital of Japan?' }]),
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: 'Tokyo.' }]),
          },
        },
      ]);
    } finally {
      await db.close();
    }
    const r = await run(['eval', 'from-traces', '--from', 'store', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const suite = JSON.parse(r.stdout) as { cases: { messages: unknown; reference: string }[]; models: string[] };
    assert.deepEqual(suite.models, ['gpt-4o-mini']);
    assert.deepEqual(
      suite.cases.map((c) => [c.messages, c.reference]),
      [[[{ role: 'user', content: 'Capital of Japan?' }], 'Tokyo.']],
    );
  });

  test('the example suite runs offline and passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-eval-example-'));
    try {
      writeFileSync(join(dir, 'conduit.yaml'), `storage:\n  state_dir: ${JSON.stringify(join(dir, 'state'))}\n`);
      const { code, stdout } = await runCli(['eval', 'run', 'examples/eval/offline-suite.yaml', '--config', join(dir, 'conduit.yaml')], { cwd: REPO });
      assert.equal(code, 0, stdout);
      assert.match(stdout, /PASS offline-example: 6\/6 jobs passed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
