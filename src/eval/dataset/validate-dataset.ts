/**
 * Checks a fine-tuning dataset before money is spent on it: required fields per task type, empty
 * and duplicate samples, length outliers (Tukey's IQR fences), too-short / too-long shares, and label
 * imbalance. Thresholds follow the guide's DatasetValidator (10% / 5% / imbalance ratio 5). The
 * dataset passes when no issue is critical.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../cache/canonical-json.js';
import { quantile, summarize } from '../stats/sample-summary.js';
import type { LoadedSample } from './dataset-file.js';
import { chatProblem, emptyFields, labelOf, missingFields, REQUIRED_FIELDS, sampleText, type TaskType } from './task-types.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface DatasetIssue {
  type: 'empty_dataset' | 'missing_fields' | 'malformed_chat' | 'empty_values' | 'duplicates' | 'length_outliers' | 'too_short' | 'too_long' | 'label_imbalance' | 'rare_labels';
  severity: Severity;
  description: string;
  count: number;
  /** Up to 10 line numbers where it occurs. */
  lines: number[];
}

export interface LengthStats {
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
}

export interface ValidationReport {
  task: TaskType;
  total: number;
  issues: DatasetIssue[];
  statistics: {
    /** Characters of each sample's text (input and target). */
    length: LengthStats | undefined;
    /** Classification only: label → count, and max/min count. */
    labels?: { distribution: Record<string, number>; imbalanceRatio: number };
  };
  recommendations: string[];
  passed: boolean;
}

export const VALIDATION_THRESHOLDS = {
  /** Share of empty samples above which the issue is high rather than medium. */
  emptyHighShare: 0.1,
  shortChars: 10,
  shortShare: 0.1,
  longChars: 5000,
  longShare: 0.05,
  imbalanceRatio: 5,
  /** Tukey's fences: below Q1 − k·IQR or above Q3 + k·IQR. */
  iqrFactor: 1.5,
  minimumSamples: 100,
  goodSamples: 1000,
  /** A label with fewer samples than this cannot appear in each of train/validation/test. */
  minPerLabel: 3,
} as const;

export function validateDataset(samples: readonly LoadedSample[], task: TaskType): ValidationReport {
  const T = VALIDATION_THRESHOLDS;
  const issues: DatasetIssue[] = [];
  const add = (type: DatasetIssue['type'], severity: Severity, description: string, lines: number[]): void => {
    if (lines.length > 0) issues.push({ type, severity, description, count: lines.length, lines: lines.slice(0, 10) });
  };
  const n = samples.length;
  if (n === 0) {
    issues.push({ type: 'empty_dataset', severity: 'critical', description: 'The dataset has no samples', count: 0, lines: [] });
    return { task, total: 0, issues, statistics: { length: undefined }, recommendations: ['Add samples: at least 100, ideally 1000 or more.'], passed: false };
  }

  const missing: number[] = [];
  const malformed: number[] = [];
  const empty: number[] = [];
  const usable: LoadedSample[] = [];
  for (const s of samples) {
    const absent = missingFields(s.record, task);
    if (absent.length > 0) {
      missing.push(s.line);
      continue;
    }
    if (task === 'chat' && chatProblem(s.record.messages) !== undefined) {
      malformed.push(s.line);
      continue;
    }
    if (emptyFields(s.record, task).length > 0) {
      empty.push(s.line);
      continue;
    }
    usable.push(s);
  }
  add('missing_fields', 'critical', `Samples without the required fields for ${task} (${REQUIRED_FIELDS[task].join(', ')})`, missing);
  add('malformed_chat', 'critical', 'Chat samples whose messages are malformed, have no user turn, or do not end with the assistant', malformed);
  add('empty_values', empty.length > T.emptyHighShare * n ? 'high' : 'medium', 'Samples whose required fields are blank', empty);

  const seen = new Map<string, number>();
  const duplicates: number[] = [];
  for (const s of usable) {
    const key = createHash('sha256').update(canonicalJson(s.record)).digest('hex');
    if (seen.has(key)) duplicates.push(s.line);
    else seen.set(key, s.line);
  }
  add('duplicates', 'medium', 'Exact duplicates of an earlier sample (they over-weight it and leak across splits)', duplicates);

  const lengths = usable.map((s) => ({ line: s.line, length: sampleText(s.record, task).length }));
  const values = lengths.map((l) => l.length);
  let lengthStats: LengthStats | undefined;
  if (values.length > 0) {
    const sum = summarize(values);
    const q1 = quantile(values, 0.25);
    const q3 = quantile(values, 0.75);
    lengthStats = { mean: sum.mean, median: quantile(values, 0.5), std: Math.sqrt(sum.variance), min: Math.min(...values), max: Math.max(...values), q1, q3 };
    // A floor on the spread: templated data can have IQR 0, and a sample one character off the
    // median is not an outlier. Within ±25% of the median nothing is flagged.
    const iqr = Math.max(q3 - q1, (0.25 * lengthStats.median) / T.iqrFactor);
    const lo = q1 - T.iqrFactor * iqr;
    const hi = q3 + T.iqrFactor * iqr;
    add('length_outliers', 'low', `Samples outside the IQR fences [${Math.max(0, lo).toFixed(0)}, ${hi.toFixed(0)}] characters`, lengths.filter((l) => l.length < lo || l.length > hi).map((l) => l.line));
    const short = lengths.filter((l) => l.length < T.shortChars).map((l) => l.line);
    if (short.length > T.shortShare * values.length) add('too_short', 'medium', `More than ${T.shortShare * 100}% of samples are under ${T.shortChars} characters`, short);
    const long = lengths.filter((l) => l.length > T.longChars).map((l) => l.line);
    if (long.length > T.longShare * values.length) add('too_long', 'medium', `More than ${T.longShare * 100}% of samples are over ${T.longChars} characters`, long);
  }

  let labels: ValidationReport['statistics']['labels'];
  if (task === 'classification') {
    const distribution: Record<string, number> = {};
    for (const s of usable) {
      const label = labelOf(s.record, task);
      if (label !== undefined) distribution[label] = (distribution[label] ?? 0) + 1;
    }
    const counts = Object.values(distribution);
    if (counts.length > 0) {
      const imbalanceRatio = Math.max(...counts) / Math.min(...counts);
      labels = { distribution, imbalanceRatio };
      if (imbalanceRatio > T.imbalanceRatio) {
        issues.push({ type: 'label_imbalance', severity: 'medium', description: `The most frequent label has ${imbalanceRatio.toFixed(1)}× the samples of the rarest (over ${T.imbalanceRatio})`, count: counts.length, lines: [] });
      }
      const rare = Object.entries(distribution).filter(([, c]) => c < T.minPerLabel);
      if (rare.length > 0) {
        issues.push({ type: 'rare_labels', severity: 'medium', description: `Labels with fewer than ${T.minPerLabel} samples cannot appear in every split: ${rare.map(([l, c]) => `${l} (${c})`).join(', ')}`, count: rare.length, lines: [] });
      }
    }
  }

  const recommendations: string[] = [];
  if (n < T.minimumSamples) recommendations.push(`Only ${n} samples: collect at least ${T.minimumSamples} before fine-tuning.`);
  else if (n < T.goodSamples) recommendations.push(`${n} samples: more (${T.goodSamples}+) usually helps.`);
  if (issues.some((i) => i.severity === 'critical' || i.severity === 'high')) recommendations.push('Fix the critical and high-severity issues before training.');
  if (duplicates.length > 0) recommendations.push('Remove the duplicates.');
  if (labels !== undefined && labels.imbalanceRatio > T.imbalanceRatio) recommendations.push('Rebalance the labels (collect or oversample the rare ones, or undersample the frequent ones).');
  if (lengthStats !== undefined && lengthStats.mean < 50) recommendations.push('Samples are short on average (< 50 characters): consider richer examples or augmentation.');
  if (lengthStats !== undefined && lengthStats.mean > 2000) recommendations.push('Samples are long on average (> 2000 characters): consider chunking them.');

  return { task, total: n, issues, statistics: { length: lengthStats, ...(labels === undefined ? {} : { labels }) }, recommendations, passed: !issues.some((i) => i.severity === 'critical') };
}

