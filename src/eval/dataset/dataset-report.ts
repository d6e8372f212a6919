/** Terminal renderings of the dataset commands' results. */
import type { FineTuningAdvice } from './fine-tuning-advice.js';
import type { ValidationReport } from './validate-dataset.js';

export function formatValidationReport(r: ValidationReport): string {
  const lines = [`Dataset (${r.task}): ${r.total} samples — ${r.passed ? 'PASSED' : 'FAILED'}`];
  const l = r.statistics.length;
  if (l !== undefined) lines.push(`length (chars): mean ${l.mean.toFixed(1)}, median ${l.median.toFixed(1)}, std ${l.std.toFixed(1)}, min ${l.min}, max ${l.max}`);
  const labels = r.statistics.labels;
  if (labels !== undefined) {
    const dist = Object.entries(labels.distribution).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`labels: ${dist} (imbalance ratio ${labels.imbalanceRatio.toFixed(2)})`);
  }
  if (r.issues.length === 0) lines.push('issues: none');
  for (const i of r.issues) lines.push(`${i.severity.toUpperCase()} ${i.type}: ${i.description}${i.count > 0 ? ` — ${i.count}` : ''}${i.lines.length > 0 ? ` (lines ${i.lines.join(', ')}${i.count > i.lines.length ? ', …' : ''})` : ''}`);
  for (const rec of r.recommendations) lines.push(`- ${rec}`);
  return `${lines.join('\n')}\n`;
}

export function formatAdvice(a: FineTuningAdvice): string {
  const lines = [`Fine-tuning decision score: ${a.score} → ${a.recommendation}`];
  for (const f of a.factors) lines.push(`  ${f.points >= 0 ? '+' : ''}${f.points}  ${f.factor}: ${f.reason}`);
  lines.push(`Estimated cost: $${a.costUsd.total.toFixed(2)} (data preparation $${a.costUsd.dataPreparation.toFixed(2)}, training $${a.costUsd.training.toFixed(2)}, evaluation $${a.costUsd.evaluation.toFixed(2)})`);
  lines.push(`Timeline: ${a.timeline}`);
  if (a.alternatives.length > 0) {
    lines.push('Try first:');
    for (const alt of a.alternatives) lines.push(`  - ${alt}`);
  }
  return `${lines.join('\n')}\n`;
}
