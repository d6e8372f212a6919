/**
 * Renders an ExperimentAnalysis: snake_case JSON for the HTTP API and `--json`, and a plain-text
 * report for the terminal.
 */
import type { ExperimentAnalysis, MetricComparison } from './analysis.js';

/** The analysis as the API's JSON: snake_case keys, NaN/∞ as null. */
export function analysisJson(analysis: ExperimentAnalysis): string {
  return JSON.stringify(snakeKeys(analysis));
}

function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = snakeKeys(v);
  return out;
}

export function formatAnalysis(a: ExperimentAnalysis): string {
  const lines: string[] = [];
  lines.push(`Experiment ${a.experiment}: ${a.outcome.summary}`);
  lines.push(`primary metric ${a.primaryMetric}; alpha ${a.alpha}${a.comparisonAlpha !== a.alpha ? ` (${fmt(a.comparisonAlpha, 4)} per comparison)` : ''}; minimum ${a.minSamplesPerArm} per arm; planned ${a.plannedSamplesPerArm}`);
  lines.push('');
  lines.push(row(['arm', 'share%', 'requests', 'errors', 'lat mean', 'lat p95', 'tokens', 'cost $', 'scores', 'score', 'thumbs', 'up rate']));
  for (const arm of a.arms) {
    lines.push(
      row([
        arm.id,
        fmt(arm.share, 2),
        String(arm.requests),
        String(arm.errors),
        fmt(arm.latencyMs.mean, 1),
        fmt(arm.latencyMs.p95, 1),
        fmt(arm.meanTotalTokens, 1),
        fmt(arm.meanCostUsd, 6),
        String(arm.feedback.scores),
        fmt(arm.feedback.meanScore, 3),
        String(arm.feedback.thumbs),
        fmt(arm.feedback.thumbsUpRate, 3),
      ]),
    );
  }
  lines.push('');
  lines.push(row(['variant', 'metric', 'n (v/c)', 'diff', 'CI', 'stat', 'df', 'p', 'verdict']));
  for (const c of a.comparisons) lines.push(comparisonRow(c));
  for (const w of a.warnings) lines.push(`WARNING: ${w}`);
  return `${lines.join('\n')}\n`;
}

function comparisonRow(c: MetricComparison): string {
  const r = c.result;
  const v = r.verdict;
  // The stats layer speaks of arms a/b; here a is the variant and b the control.
  const verdict = v.outcome === 'winner' ? `${v.winner === 'a' ? c.variant : 'control'} better` : v.summary;
  const n = `${r.nA}/${r.nB}`;
  if (r.test === undefined) return row([c.variant, c.metric, n, '-', '-', '-', '-', '-', verdict]);
  const ci = `[${fmt(r.test.ci.lower, 4)}, ${fmt(r.test.ci.upper, 4)}]`;
  if (r.kind === 'continuous') {
    return row([c.variant, c.metric, n, fmt(r.test.meanDifference, 4), ci, `t=${fmt(r.test.t, 4)}`, fmt(r.test.df, 2), fmt(r.test.pValue, 4), verdict]);
  }
  return row([c.variant, c.metric, n, fmt(r.test.difference, 4), ci, `z=${fmt(r.test.z, 4)}`, '-', fmt(r.test.pValue, 4), verdict]);
}

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(14) : c.padStart(10))).join(' ');
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
