/** Renders an evaluation report as an aligned plain-text table, one row per strategy. */
import type { EvalReport } from './runner.js';
import { NDCG_CUTOFF } from './runner.js';

export function formatEvalReport(report: EvalReport): string {
  const judged = report.strategies.some((s) => s.faithfulness !== undefined);
  const header = ['strategy', `recall@${report.k}`, `precision@${report.k}`, 'MRR', `nDCG@${NDCG_CUTOFF}`, ...(judged ? ['faithfulness', 'relevance'] : []), 'p50 ms'];
  const rows = report.strategies.map((s) => [
    s.strategy,
    fixed(s.recallAtK),
    fixed(s.precisionAtK),
    fixed(s.mrr),
    fixed(s.ndcgAt10),
    ...(judged ? [s.faithfulness === undefined ? '-' : fixed(s.faithfulness), s.answerRelevance === undefined ? '-' : fixed(s.answerRelevance)] : []),
    s.p50Ms.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const labelled = report.strategies[0]?.questions ?? 0;
  const out = [`${report.questions} questions (${labelled} with labelled documents), k = ${report.k}`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (report.judgeNote !== undefined) out.push(`note: ${report.judgeNote}`);
  return `${out.join('\n')}\n`;
}

function fixed(value: number): string {
  return value.toFixed(3);
}
