/**
 * JUnit XML in the common (Jenkins / GitLab / GitHub reporters) schema: `<testsuites>` with one
 * `<testsuite>` per prompt × model, one `<testcase>` per job (case and repeat). A failing assertion is a
 * `<failure>` (its message lists every failed check); a failed model call is an `<error>`. Counts on
 * each element are consistent with its children, which CI reporters check.
 */
import type { JobResult, SuiteRunResult } from '../suite/results.js';
import { escapeXml } from './xml-escape.js';

export function junitReport(run: SuiteRunResult): string {
  const groups = new Map<string, JobResult[]>();
  for (const r of run.results) {
    const key = `${r.prompt} @ ${r.model}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const timestamp = run.startedAt.toISOString().replace(/\.\d{3}Z$/, '');
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const s = run.summary;
  lines.push(`<testsuites name="${escapeXml(run.suite)}" tests="${s.total}" failures="${s.failed}" errors="${s.errors}" time="${seconds(run.durationMs)}">`);
  let id = 0;
  for (const [name, results] of groups) {
    const errors = results.filter((r) => r.output.error !== undefined).length;
    const failures = results.filter((r) => !r.pass && r.output.error === undefined).length;
    const time = results.reduce((sum, r) => sum + (r.cached ? 0 : r.output.latencyMs), 0);
    lines.push(`  <testsuite name="${escapeXml(name)}" id="${id++}" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(time)}" timestamp="${timestamp}">`);
    for (const r of results) lines.push(...testcase(run.suite, r));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function testcase(suite: string, r: JobResult): string[] {
  const name = r.repeat === 0 ? r.case : `${r.case} #${r.repeat + 1}`;
  const classname = `${suite}.${r.prompt}.${r.model}`;
  const open = `    <testcase name="${escapeXml(name)}" classname="${escapeXml(classname)}" time="${seconds(r.cached ? 0 : r.output.latencyMs)}"`;
  const out: string[] = [];
  if (r.output.error !== undefined) {
    out.push(`${open}>`, `      <error message="${escapeXml(r.output.error)}" type="call_error">${escapeXml(r.output.error)}</error>`);
  } else if (!r.pass) {
    const failedChecks = r.assertions.filter((a) => !a.pass);
    const message = failedChecks.map((a) => `${a.label}: ${a.reason}`).join('; ');
    const details = failedChecks.map((a) => `[${a.type}] ${a.label}\n  ${a.reason}`).join('\n');
    out.push(`${open}>`, `      <failure message="${escapeXml(message)}" type="assertion">${escapeXml(details)}</failure>`);
  } else {
    out.push(`${open}>`);
  }
  out.push(`      <system-out>${escapeXml(r.output.text)}</system-out>`, '    </testcase>');
  return out;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
