/** The evaluation runner: dataset parsing, document-level scoring per strategy, judged metrics, the table. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { documentMatches, formatEvalReport, parseEvalDataset, runEvaluation } from '../../../src/rag/eval/index.js';
import type { RagAnswer, RetrievedChunk } from '../../../src/rag/types.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';

function hit(documentId: string, index: number, score: number): RetrievedChunk {
  return { chunk: { id: `${documentId}#${index}`, documentId, index, text: `${documentId} text ${index}`, metadata: {} }, score, via: 'test' };
}

const DATASET = [
  '{"question":"how do I read lines","relevant_document_ids":["readline.md"],"section":"x"}',
  '',
  '{"question":"join paths","relevant_document_ids":["path.md","fs.md"]}',
  '{"question":"only a reference answer","expected_answer":"42"}',
].join('\n');

describe('evaluation dataset', () => {
  test('parses labelled lines and keeps their line numbers', () => {
    const items = parseEvalDataset(DATASET);
    assert.equal(items.length, 3);
    assert.deepEqual(items[0], { line: 1, question: 'how do I read lines', relevantDocumentIds: ['readline.md'], section: 'x' });
    assert.deepEqual(items[1]?.relevantDocumentIds, ['path.md', 'fs.md']);
    assert.equal(items[1]?.line, 3);
    assert.equal(items[2]?.expectedAnswer, '42');
  });

  test('every bad line is reported by number', () => {
    const bad = ['{"question":"ok","relevant_document_ids":["a"]}', 'not json', '{"question":""}', '{"question":"no labels"}'].join('\n');
    assert.throws(
      () => parseEvalDataset(bad, 'set.jsonl'),
      (err: unknown) =>
        err instanceof ConduitError &&
        err.code === 'invalid_eval_dataset' &&
        /line 2: not valid JSON/.test(err.message) &&
        /line 3: question/.test(err.message) &&
        /line 4: expected relevant_document_ids/.test(err.message),
    );
    assert.throws(() => parseEvalDataset('\n\n'), /no questions/);
  });

  test('labels match ids equal to them or ending in /label, never a bare substring', () => {
    assert.equal(documentMatches('fs.md', 'fs.md'), true);
    assert.equal(documentMatches('docs/api/fs.md', 'fs.md'), true);
    assert.equal(documentMatches('docs\\api\\fs.md', 'fs.md'), true);
    assert.equal(documentMatches('docs/api/vfs.md', 'fs.md'), false);
    assert.equal(documentMatches('fs.md.bak', 'fs.md'), false);
  });
});

describe('runEvaluation', () => {
  const items = parseEvalDataset(DATASET);
  // 'good' ranks the labelled documents first (chunks of one document repeat); 'bad' ranks them late or never.
  const rankings: Record<string, Record<string, RetrievedChunk[]>> = {
    good: {
      'how do I read lines': [hit('docs/readline.md', 0, 0.9), hit('docs/readline.md', 1, 0.8), hit('fs.md', 0, 0.5)],
      'join paths': [hit('path.md', 0, 0.9), hit('fs.md', 3, 0.8)],
      'only a reference answer': [hit('other.md', 0, 1)],
    },
    bad: {
      'how do I read lines': [hit('fs.md', 0, 0.9), hit('os.md', 0, 0.8), hit('url.md', 0, 0.7), hit('readline.md', 2, 0.1)],
      'join paths': [hit('os.md', 0, 0.9)],
      'only a reference answer': [],
    },
  };
  const retrieve = async (strategy: string, question: string, topK: number) => {
    assert.equal(topK, 10, 'asks for enough results for nDCG@10');
    return rankings[strategy]?.[question] ?? [];
  };

  test('scores documents, not chunks, and averages over labelled questions only', async () => {
    const report = await runEvaluation({ items, strategies: ['good', 'bad'], k: 3, retrieve });
    assert.equal(report.questions, 3);
    const [good, bad] = report.strategies;
    assert.ok(good && bad);
    assert.equal(good.questions, 2);
    assert.equal(good.recallAtK, 1);
    // q1: 1 relevant of 3 slots (readline, fs); q2: 2 of 3 → mean(1/3, 2/3) = 0.5.
    assert.ok(Math.abs(good.precisionAtK - 0.5) < 1e-9);
    assert.equal(good.mrr, 1);
    assert.equal(good.ndcgAt10, 1);
    assert.deepEqual(good.perQuestion[0]?.retrieved, ['readline.md', 'fs.md']);
    // bad: q1 readline at rank 4 (outside k=3): recall 0, RR 1/4; q2 nothing relevant.
    assert.equal(bad.recallAtK, 0);
    assert.ok(Math.abs(bad.mrr - 1 / 8) < 1e-9);
    assert.ok(Math.abs(bad.ndcgAt10 - (1 / Math.log2(5)) / 2) < 1e-9);
    assert.match(report.judgeNote ?? '', /skipped: no model configured/);
    const table = formatEvalReport(report);
    assert.match(table, /recall@3 +precision@3 +MRR +nDCG@10/);
    assert.match(table, /^good +1\.000 +0\.500 +1\.000 +1\.000/m);
    assert.match(table, /^bad +0\.000 +0\.000 +0\.125 +0\.215/m);
    assert.match(table, /note: faithfulness and answer relevance skipped/);
  });

  test('the offline model is not a judge', async () => {
    const report = await runEvaluation({ items, strategies: ['good'], k: 3, retrieve, judge: createOfflineModel(), answer: async () => assert.fail('no answers without a judge') });
    assert.equal(report.strategies[0]?.faithfulness, undefined);
    assert.match(report.judgeNote ?? '', /offline/);
  });

  test('a real model judges faithfulness and relevance per answer and the table shows them', async () => {
    const judge = new ScriptedModel({ provider: 'openai' });
    judge.enqueue(
      reply('{"faithfulness":1,"answer_relevance":0.5,"reason":"ok"}'),
      reply('{"faithfulness":0,"answer_relevance":1,"reason":"unsupported"}'),
      reply('{"faithfulness":0.5,"answer_relevance":0,"reason":"off"}'),
    );
    const answers: string[] = [];
    const answer = async (strategy: string, question: string): Promise<RagAnswer> => {
      answers.push(question);
      const sources = rankings[strategy]?.[question] ?? [];
      return { answer: `answer to ${question} [1]`, sources, citations: [], insufficientContext: false, mode: 'generated', strategy, usage: { inputTokens: 0, outputTokens: 0 } };
    };
    const report = await runEvaluation({ items, strategies: ['good'], k: 3, retrieve, judge, answer });
    assert.equal(answers.length, 3);
    const s = report.strategies[0];
    assert.ok(s);
    assert.ok(Math.abs((s.faithfulness ?? -1) - 0.5) < 1e-9);
    assert.ok(Math.abs((s.answerRelevance ?? -1) - 0.5) < 1e-9);
    assert.equal(report.judgeNote, undefined);
    // The judge saw the question, the retrieved context and the reference answer.
    const prompts = judge.calls.map((c) => JSON.stringify(c.request.messages));
    assert.match(prompts[0] ?? '', /how do I read lines[\s\S]*docs\/readline\.md text 0/);
    assert.match(prompts[2] ?? '', /REFERENCE:\\n42/);
    assert.match(formatEvalReport(report), /faithfulness +relevance/);
  });
});
