import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { emptyUsage } from '../../../src/core/usage.js';
import type { EvalOutput } from '../../../src/eval/assertions/assertion.js';
import { summarize, type JobResult, type SuiteRunResult } from '../../../src/eval/suite/results.js';
import { junitReport } from '../../../src/eval/report/junit.js';
import { markdownReport } from '../../../src/eval/report/markdown.js';
import { consoleSummary } from '../../../src/eval/report/console-summary.js';

function job(index: number, prompt: string, model: string, name: string, outcome: 'pass' | 'fail' | 'error', text = 'answer'): JobResult {
  const output: EvalOutput = { text, toolCalls: [], latencyMs: 250, costUsd: 0.001, usage: emptyUsage(), model, provider: 'openai', ...(outcome === 'error' ? { error: 'rate_limited: slow down <now> & "later"' } : {}) };
  const pass = outcome === 'pass';
  return {
    index,
    prompt,
    model,
    case: name,
    repeat: 0,
    vars: {},
    inputHash: `h${index}`,
    cached: false,
    output,
    assertions: [
      { type: 'contains', label: 'contains "x"', pass: outcome !== 'fail', score: 1, reason: 'ok' },
      { type: 'regex', label: 'regex /a|b/', pass, score: pass ? 1 : 0, reason: pass ? 'ok' : 'output "<tag> & \'q\'" does not match /a|b/' },
    ],
    pass,
    score: pass ? 1 : 0.5,
  };
}

const results = [job(0, 'p1', 'gpt-4o', 'a', 'pass'), job(1, 'p1', 'gpt-4o', 'b', 'fail', 'bad \u0007 output <x>'), job(2, 'p1', 'fast', 'a', 'error'), job(3, 'p2', 'gpt-4o', 'a', 'fail'), job(4, 'p2', 'gpt-4o', 'b | c', 'pass')];
const run: SuiteRunResult = { runId: 'run-1', suite: 'demo & co', startedAt: new Date('2026-03-01T10:00:00.123Z'), finishedAt: new Date('2026-03-01T10:00:02Z'), durationMs: 1877, results, summary: summarize(results) };

type Node = Record<string, unknown>;
const asList = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);

describe('reports', () => {
  test('JUnit XML is well-formed and its counts match its test cases', () => {
    const xml = junitReport(run);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: Node };
    const root = doc.testsuites;
    assert.equal(root.name, 'demo & co');
    assert.deepEqual([root.tests, root.failures, root.errors], ['5', '2', '1']);
    const suites = asList(root.testsuite);
    assert.deepEqual(
      suites.map((s) => [s.name, s.tests, s.failures, s.errors]),
      [
        ['p1 @ gpt-4o', '2', '1', '0'],
        ['p1 @ fast', '1', '0', '1'],
        ['p2 @ gpt-4o', '2', '1', '0'],
      ],
    );
    let failures = 0;
    let errors = 0;
    for (const s of suites) {
      const cases = asList(s.testcase);
      assert.equal(cases.length, Number(s.tests));
      const f = cases.filter((c) => c.failure !== undefined).length;
      const e = cases.filter((c) => c.error !== undefined).length;
      assert.equal(f, Number(s.failures));
      assert.equal(e, Number(s.errors));
      failures += f;
      errors += e;
      assert.match(String(s.timestamp), /^2026-03-01T10:00:00$/);
    }
    assert.deepEqual([failures, errors], [2, 1]);
    const failing = asList(suites[0]?.testcase)[1] as { name: string; classname: string; failure: Node };
    assert.equal(failing.name, 'b');
    assert.equal(failing.classname, 'demo & co.p1.gpt-4o');
    assert.match(String(failing.failure.message), /regex \/a\|b\/: output "<tag> & 'q'" does not match/);
    const errored = asList(suites[1]?.testcase)[0] as { error: Node };
    assert.equal(errored.error.message, 'rate_limited: slow down <now> & "later"');
  });

  test('Markdown: verdict, matrix, failures with their reasons; console: table and totals', () => {
    const md = markdownReport(run);
    assert.match(md, /^# Eval: demo & co — ❌ failed$/m);
    assert.match(md, /^\| prompt \| gpt-4o \| fast \|$/m);
    assert.match(md, /^\| p1 \| 1\/2 \| 0\/1 \|$/m);
    assert.match(md, /^\| p2 \| 1\/2 \| – \|$/m);
    assert.match(md, /^### b — p1 @ gpt-4o$/m);
    assert.match(md, /^- call failed: rate_limited/m);
    const text = consoleSummary(run);
    assert.match(text, /^prompt +model +passed +failed +errors/);
    assert.match(text, /^p1 +fast +0 +0 +1 +0 /m);
    assert.match(text, /✗ b \(p1 @ gpt-4o\): regex \/a\|b\/: output/);
    assert.match(text, /^FAIL demo & co: 2\/5 jobs passed \(2 failed, 1 errors, 0 cached\), 5\/10 assertions/m);
  });
});
