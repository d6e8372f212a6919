/** `conduit dataset …` through main(argv, io). */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'conduit-dataset-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const run = (argv: string[]) => runCli(argv, { cwd });

const rows = Array.from({ length: 40 }, (_, i) => ({ text: `Support ticket ${i}: the invoice page shows the wrong total.`, label: i % 4 === 0 ? 'billing' : 'bug' }));
writeFileSync(join(cwd, 'tickets.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
writeFileSync(join(cwd, 'broken.jsonl'), `${JSON.stringify({ text: 'no label here at all' })}\n${JSON.stringify(rows[0])}\n`);

describe('conduit dataset', () => {
  test('validate: a clean file passes (exit 0); one with a missing field fails (exit 1) and names the line', async () => {
    const ok = await run(['dataset', 'validate', 'tickets.jsonl', '--task', 'classification']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Dataset \(classification\): 40 samples — PASSED/);
    assert.match(ok.stdout, /labels: bug 30, billing 10 \(imbalance ratio 3\.00\)/);
    const bad = await run(['dataset', 'validate', 'broken.jsonl', '--task', 'classification', '--json']);
    assert.equal(bad.code, 1);
    const report = JSON.parse(bad.stdout) as { passed: boolean; issues: { type: string; lines: number[] }[] };
    assert.equal(report.passed, false);
    assert.deepEqual(report.issues.find((i) => i.type === 'missing_fields')?.lines, [1]);
  });

  test('split: stratified, reproducible files under -o; the same seed writes the same files', async () => {
    const first = await run(['dataset', 'split', 'tickets.jsonl', '--task', 'classification', '-o', 'out1', '--seed', '7']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /train 28, validation 6, test 6/);
    await run(['dataset', 'split', 'tickets.jsonl', '--task', 'classification', '-o', 'out2', '--seed', '7']);
    for (const part of ['train', 'validation', 'test']) assert.equal(readFileSync(join(cwd, 'out1', `${part}.jsonl`), 'utf8'), readFileSync(join(cwd, 'out2', `${part}.jsonl`), 'utf8'));
    const train = readFileSync(join(cwd, 'out1', 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    assert.equal(train.length, 28);
    assert.equal(train.filter((t) => t.messages[1]?.content === 'billing').length, 7, '10 billing → 7 in train');
    const refused = await run(['dataset', 'split', 'broken.jsonl', '--task', 'classification', '-o', 'out3']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /critical issues/);
  });

  test('export: chat-format JSONL', async () => {
    const r = await run(['dataset', 'export', 'tickets.jsonl', '--task', 'classification', '-o', 'chat.jsonl', '--system', 'Route support tickets.']);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(readFileSync(join(cwd, 'chat.jsonl'), 'utf8').split('\n')[0] ?? '') as unknown;
    assert.deepEqual(first, {
      messages: [
        { role: 'system', content: 'Route support tickets.' },
        { role: 'user', content: 'Classify this text: Support ticket 0: the invoice page shows the wrong total.' },
        { role: 'assistant', content: 'billing' },
      ],
    });
  });

  test("advise: the guide's example, and the data size taken from a file", async () => {
    const r = await run(['dataset', 'advise', '--data-size', '5000', '--specificity', '0.9', '--gap', '0.25', '--weeks', '8']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /score: 6 → STRONGLY_RECOMMEND/);
    const fromFile = await run(['dataset', 'advise', 'tickets.jsonl', '--specificity', '0.3', '--gap', '0.05', '--weeks', '1', '--json']);
    const advice = JSON.parse(fromFile.stdout) as { score: number; recommendation: string };
    assert.deepEqual([advice.score, advice.recommendation], [-6, 'NOT_RECOMMENDED']);
  });

  test('usage mistakes exit 2', async () => {
    assert.equal((await run(['dataset', 'frob'])).code, 2);
    assert.equal((await run(['dataset', 'advise', '--data-size', '10'])).code, 2);
    assert.equal((await run(['dataset', 'validate', 'tickets.jsonl', '--rate', '3'])).code, 2);
    const noTask = await run(['dataset', 'validate', 'tickets.jsonl']);
    assert.equal(noTask.code, 1);
    assert.match(noTask.stderr, /task type is needed/);
  });
});
