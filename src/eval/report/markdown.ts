/** A Markdown report: the summary, a pass-rate matrix (prompt × model), then each failing job's checks. */
import type { JobResult, SuiteRunResult } from '../suite/results.js';

export function markdownReport(run: SuiteRunResult): string {
  const s = run.summary;
  const verdict = s.failed + s.errors === 0 ? '✅ passed' : '❌ failed';
  const out: string[] = [
    `# Eval: ${run.suite} — ${verdict}`,
    '',
    `Run \`${run.runId}\` at ${run.startedAt.toISOString()} (${(run.durationMs / 1000).toFixed(1)} s).`,
    '',
    `- Jobs: ${s.total} (${s.passed} passed, ${s.failed} failed, ${s.errors} errors; ${s.cached} from cache)`,
    `- Assertions: ${s.assertions.total - s.assertions.failed}/${s.assertions.total} passed`,
    `- Pass rate: ${(s.passRate * 100).toFixed(1)}%`,
    `- Cost of this run: $${s.costUsd.toFixed(6)}`,
    '',
    '## Pass rate by prompt and model',
    '',
  ];
  const prompts = unique(run.results.map((r) => r.prompt));
  const models = unique(run.results.map((r) => r.model));
  out.push(`| prompt | ${models.map(cell).join(' | ')} |`, `|---|${models.map(() => '---:').join('|')}|`);
  for (const prompt of prompts) {
    const cells = models.map((model) => {
      const rs = run.results.filter((r) => r.prompt === prompt && r.model === model);
      const passed = rs.filter((r) => r.pass).length;
      return rs.length === 0 ? '–' : `${passed}/${rs.length}`;
    });
    out.push(`| ${cell(prompt)} | ${cells.join(' | ')} |`);
  }
  const failing = run.results.filter((r) => !r.pass);
  if (failing.length > 0) {
    out.push('', '## Failures', '');
    for (const r of failing) out.push(...failureSection(r));
  }
  return `${out.join('\n')}\n`;
}

function failureSection(r: JobResult): string[] {
  const title = `### ${cell(r.case)}${r.repeat === 0 ? '' : ` #${r.repeat + 1}`} — ${cell(r.prompt)} @ ${cell(r.model)}`;
  const lines = [title, ''];
  if (r.output.error !== undefined) lines.push(`- call failed: ${cell(r.output.error)}`);
  for (const a of r.assertions.filter((x) => !x.pass)) lines.push(`- **${cell(a.label)}** (${a.type}): ${cell(a.reason)}`);
  lines.push('', '<details><summary>output</summary>', '', '```text', r.output.text.replace(/```/g, "'''"), '```', '', '</details>', '');
  return lines;
}

/** Table-safe text: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
