/** The console summary: one row per prompt × model, then the failing jobs, then the totals line. */
import type { SuiteRunResult } from '../suite/results.js';

export function consoleSummary(run: SuiteRunResult): string {
  const rows: string[][] = [['prompt', 'model', 'passed', 'failed', 'errors', 'cached', 'avg score', 'p50 ms', 'cost $']];
  const keys = [...new Set(run.results.map((r) => `${r.prompt}\u0000${r.model}`))];
  for (const key of keys) {
    const [prompt = '', model = ''] = key.split('\u0000');
    const rs = run.results.filter((r) => r.prompt === prompt && r.model === model);
    const errors = rs.filter((r) => r.output.error !== undefined).length;
    const passed = rs.filter((r) => r.pass).length;
    const latencies = rs.map((r) => r.output.latencyMs).sort((a, b) => a - b);
    const p50 = latencies[Math.floor((latencies.length - 1) / 2)] ?? 0;
    rows.push([
      prompt,
      model,
      String(passed),
      String(rs.length - passed - errors),
      String(errors),
      String(rs.filter((r) => r.cached).length),
      (rs.reduce((s, r) => s + r.score, 0) / Math.max(1, rs.length)).toFixed(2),
      String(Math.round(p50)),
      rs.reduce((s, r) => s + (r.cached ? 0 : (r.output.costUsd ?? 0)), 0).toFixed(6),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const lines = rows.map((r) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  const failing = run.results.filter((r) => !r.pass);
  if (failing.length > 0) {
    lines.push('', 'Failures:');
    for (const r of failing) {
      const where = `${r.case}${r.repeat === 0 ? '' : ` #${r.repeat + 1}`} (${r.prompt} @ ${r.model})`;
      if (r.output.error !== undefined) lines.push(`  ✗ ${where}: call failed: ${r.output.error}`);
      for (const a of r.assertions.filter((x) => !x.pass && r.output.error === undefined)) lines.push(`  ✗ ${where}: ${a.label}: ${a.reason}`);
    }
  }
  const s = run.summary;
  lines.push(
    '',
    `${s.failed + s.errors === 0 ? 'PASS' : 'FAIL'} ${run.suite}: ${s.passed}/${s.total} jobs passed (${s.failed} failed, ${s.errors} errors, ${s.cached} cached), ${s.assertions.total - s.assertions.failed}/${s.assertions.total} assertions, $${s.costUsd.toFixed(6)}, ${(run.durationMs / 1000).toFixed(1)} s · run ${run.runId}`,
  );
  return `${lines.join('\n')}\n`;
}
