import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDataset } from '../../../src/eval/dataset/dataset-file.js';
import { validateDataset } from '../../../src/eval/dataset/validate-dataset.js';
import { seededRandom } from '../../../src/eval/dataset/seeded-random.js';
import { parseRatios, stratifiedSplit } from '../../../src/eval/dataset/split-dataset.js';
import { toChatExample } from '../../../src/eval/dataset/chat-export.js';
import { adviseFineTuning } from '../../../src/eval/dataset/fine-tuning-advice.js';
import { formatAdvice, formatValidationReport } from '../../../src/eval/dataset/dataset-report.js';
import { isConduitError } from '../../../src/core/errors.js';

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n');

/** 60 positive, 25 negative, 15 neutral reviews of similar length. */
function sentimentRows(): { text: string; label: string }[] {
  const rows: { text: string; label: string }[] = [];
  for (let i = 0; i < 100; i++) rows.push({ text: `Review number ${i} of the product, with some words about it.`, label: i < 60 ? 'positive' : i < 85 ? 'negative' : 'neutral' });
  return rows;
}

describe('dataset validation', () => {
  test('a clean dataset passes, with length statistics and the label distribution', () => {
    const r = validateDataset(parseDataset(jsonl(sentimentRows())), 'classification');
    assert.equal(r.passed, true);
    assert.equal(r.total, 100);
    assert.deepEqual(r.issues, []);
    assert.deepEqual(r.statistics.labels?.distribution, { positive: 60, negative: 25, neutral: 15 });
    assert.equal(r.statistics.labels?.imbalanceRatio, 4);
    assert.ok(r.statistics.length !== undefined && r.statistics.length.min >= 55);
    assert.match(r.recommendations.join(' '), /more \(1000\+\) usually helps/);
  });

  test('each problem is found, on the right lines, with its severity', () => {
    const rows: unknown[] = [
      { text: 'A perfectly ordinary review of moderate length here.', label: 'pos' }, // 1
      { text: 'A perfectly ordinary review of moderate length here.', label: 'pos' }, // 2 duplicate of 1
      { text: 'Missing its label entirely, so it cannot be used.' }, // 3 missing
      { text: '   ', label: 'neg' }, // 4 empty
      { text: 'Another ordinary review of a similar length to others.', label: 'neg' }, // 5
      { text: 'Yet another ordinary review, of a similar length too.', label: 'neg' }, // 6
      { text: 'x'.repeat(4000), label: 'pos' }, // 7 length outlier
      { text: 'One more ordinary review with roughly the same size.', label: 'pos' }, // 8
    ];
    const r = validateDataset(parseDataset(jsonl(rows)), 'classification');
    const byType = new Map(r.issues.map((i) => [i.type, i]));
    assert.equal(r.passed, false, 'a missing field is critical');
    assert.deepEqual(byType.get('missing_fields')?.lines, [3]);
    assert.equal(byType.get('missing_fields')?.severity, 'critical');
    assert.deepEqual(byType.get('empty_values')?.lines, [4]);
    assert.equal(byType.get('empty_values')?.severity, 'high', '1 of 8 is over 10%');
    assert.deepEqual(byType.get('duplicates')?.lines, [2]);
    assert.deepEqual(byType.get('length_outliers')?.lines, [7]);
    assert.match(formatValidationReport(r), /CRITICAL missing_fields/);
    assert.match(r.recommendations.join(' '), /Only 8 samples/);
  });

  test('label imbalance over 5 and labels too rare to split are reported; key order does not hide duplicates', () => {
    const rows = [...Array.from({ length: 30 }, (_, i) => ({ text: `common sample number ${i} with padding text`, label: 'a' })), { label: 'b', text: 'rare sample with padding text here' }, { text: 'rare sample with padding text here', label: 'b' }];
    const r = validateDataset(parseDataset(jsonl(rows)), 'classification');
    const types = r.issues.map((i) => i.type);
    assert.ok(types.includes('duplicates'));
    assert.ok(types.includes('label_imbalance'), JSON.stringify(r.issues));
    assert.ok(types.includes('rare_labels'));
    assert.equal(r.passed, true, 'none of these is critical');
  });

  test('required fields per task type; chat samples must be well-formed and end with the assistant', () => {
    const chat = [
      { messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] },
      { messages: [{ role: 'user', content: 'hi' }] },
      { messages: [{ role: 'robot', content: 'x' }, { role: 'assistant', content: 'y' }] },
      { prompt: 'wrong shape' },
    ];
    const r = validateDataset(parseDataset(jsonl(chat)), 'chat');
    assert.deepEqual(r.issues.find((i) => i.type === 'malformed_chat')?.lines, [2, 3]);
    assert.deepEqual(r.issues.find((i) => i.type === 'missing_fields')?.lines, [4]);
    assert.equal(validateDataset(parseDataset(jsonl([{ question: 'q?', answer: 'a' }])), 'qa').issues.filter((i) => i.severity === 'critical').length, 0);
    assert.equal(validateDataset(parseDataset(jsonl([{ question: 'q?', completion: 'a' }])), 'qa').passed, false);
    assert.equal(validateDataset(parseDataset(jsonl([{ prompt: 'p', completion: 'c' }])), 'completion').passed, true);
  });

  test('an empty dataset is critical; unparseable lines are refused with their line number', () => {
    assert.equal(validateDataset([], 'qa').issues[0]?.type, 'empty_dataset');
    assert.throws(() => parseDataset('{"a":1}\n{oops\n'), (e) => isConduitError(e) && /:2: not valid JSON/.test(e.message));
    assert.throws(() => parseDataset('[1, 2]'), (e) => isConduitError(e) && /item 1 is not a JSON object/.test(e.message));
    assert.equal(parseDataset('[{"a":1},{"a":2}]').length, 2);
  });
});

describe('stratified split', () => {
  test('mulberry32 matches an independent Python implementation for seed 42', () => {
    const r = seededRandom(42);
    assert.deepEqual([r(), r(), r()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  test('70/15/15 per label, disjoint, complete, and the same for the same seed', () => {
    const rows = sentimentRows();
    const split = stratifiedSplit(rows, { seed: 42, stratum: (r) => r.label });
    const count = (xs: typeof rows, label: string): number => xs.filter((x) => x.label === label).length;
    assert.deepEqual([count(split.train, 'positive'), count(split.validation, 'positive'), count(split.test, 'positive')], [42, 9, 9]);
    assert.deepEqual([count(split.train, 'negative'), count(split.validation, 'negative'), count(split.test, 'negative')], [17, 4, 4]);
    assert.deepEqual([count(split.train, 'neutral'), count(split.validation, 'neutral'), count(split.test, 'neutral')], [11, 2, 2]);
    const all = [...split.train, ...split.validation, ...split.test];
    assert.equal(new Set(all).size, 100);
    const again = stratifiedSplit(rows, { seed: 42, stratum: (r) => r.label });
    assert.deepEqual(again, split);
    const other = stratifiedSplit(rows, { seed: 7, stratum: (r) => r.label });
    assert.notDeepEqual(other.train, split.train);
  });

  test('ratios parse as fractions or percentages; bad ones are refused', () => {
    assert.deepEqual(parseRatios('80/10/10'), { train: 0.8, validation: 0.1, test: 0.1 });
    assert.throws(() => parseRatios('0.5,0.5'), (e) => isConduitError(e) && e.code === 'invalid_ratios');
    assert.throws(() => stratifiedSplit([1, 2], { ratios: { train: 0, validation: 0.5, test: 0.5 } }), (e) => isConduitError(e) && e.code === 'invalid_ratios');
  });
});

describe('chat export', () => {
  test('each task type becomes an OpenAI chat fine-tuning example ending with the assistant', () => {
    assert.deepEqual(toChatExample({ text: 'Great!', label: 'positive' }, 'classification', { system: 'You label sentiment.' }), {
      messages: [
        { role: 'system', content: 'You label sentiment.' },
        { role: 'user', content: 'Classify this text: Great!' },
        { role: 'assistant', content: 'positive' },
      ],
    });
    assert.deepEqual(toChatExample({ question: 'Who?', answer: 'Ada', context: 'Ada wrote it.' }, 'qa').messages, [
      { role: 'user', content: 'Context:\nAda wrote it.\n\nQuestion: Who?' },
      { role: 'assistant', content: 'Ada' },
    ]);
    assert.deepEqual(toChatExample({ prompt: 'p', completion: 'c' }, 'completion').messages.map((m) => m.role), ['user', 'assistant']);
    const own = { messages: [{ role: 'system', content: 'own' }, { role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }] };
    assert.deepEqual(toChatExample(own, 'chat', { system: 'other' }), own);
    assert.throws(() => toChatExample({ text: 'no label' }, 'classification'), (e) => isConduitError(e) && e.code === 'invalid_sample');
  });
});

describe('fine-tuning decision score (the guide)', () => {
  test("the guide's legal-classification example: 5000 examples, specificity 0.9, gap 0.25, 8 weeks → 6, STRONGLY_RECOMMEND", () => {
    const a = adviseFineTuning({ dataSize: 5000, domainSpecificity: 0.9, performanceGap: 0.25, timelineWeeks: 8 });
    assert.equal(a.score, 6);
    assert.equal(a.recommendation, 'STRONGLY_RECOMMEND');
    assert.deepEqual(a.factors.map((f) => f.points), [2, 3, 1, 0]);
    assert.deepEqual(a.costUsd, { dataPreparation: 50, training: 300, evaluation: 100, total: 450 });
    assert.deepEqual(a.alternatives, []);
    assert.match(formatAdvice(a), /score: 6 → STRONGLY_RECOMMEND/);
  });

  test('each band boundary', () => {
    // 500 (+1), 0.6 (+1), 0.05 (−1), 3 weeks (−1) → 0: consider alternatives.
    const mid = adviseFineTuning({ dataSize: 500, domainSpecificity: 0.6, performanceGap: 0.05, timelineWeeks: 3 });
    assert.equal(mid.score, 0);
    assert.equal(mid.recommendation, 'CONSIDER_ALTERNATIVES');
    assert.ok(mid.alternatives.length > 0);
    // 50 (−2), 0.3 (−1), 0.05 (−1), 1 week (−2) → −6.
    const low = adviseFineTuning({ dataSize: 50, domainSpecificity: 0.3, performanceGap: 0.05, timelineWeeks: 1 });
    assert.equal(low.score, -6);
    assert.equal(low.recommendation, 'NOT_RECOMMENDED');
    // 100 (+1), 0.5 (−1: not > 0.5), 0.31 (+2), 4 weeks (0) → 2.
    const rec = adviseFineTuning({ dataSize: 100, domainSpecificity: 0.5, performanceGap: 0.31, timelineWeeks: 4, modelSize: 'large' });
    assert.equal(rec.score, 2);
    assert.equal(rec.recommendation, 'RECOMMEND');
    assert.equal(rec.costUsd.training, 5100);
    assert.equal(adviseFineTuning({ dataSize: 20000, domainSpecificity: 0.9, performanceGap: 0.5, timelineWeeks: 10 }).costUsd.dataPreparation, 200);
  });

  test('out-of-range inputs are refused', () => {
    assert.throws(() => adviseFineTuning({ dataSize: -1, domainSpecificity: 0.5, performanceGap: 0.1, timelineWeeks: 4 }), (e) => isConduitError(e) && e.code === 'invalid_advice_inputs');
    assert.throws(() => adviseFineTuning({ dataSize: 10, domainSpecificity: 1.5, performanceGap: 0.1, timelineWeeks: 4 }), (e) => isConduitError(e) && e.code === 'invalid_advice_inputs');
    assert.throws(() => adviseFineTuning({ dataSize: 10, domainSpecificity: 0.5, performanceGap: 0.1, timelineWeeks: 0 }), (e) => isConduitError(e) && e.code === 'invalid_advice_inputs');
  });
});
