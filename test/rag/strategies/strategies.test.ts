import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createKeywordRetriever } from '../../../src/rag/retrieval/index.js';
import {
  correctiveRetrieve,
  createHierarchicalRetriever,
  createLexicalGrader,
  createMemoryFeedbackLog,
  createModelGrader,
  extractQueryFeatures,
  IDENTIFIER_HYBRID_WEIGHTS,
  selectStrategy,
  selfReflectiveAnswer,
  type RelevanceGrader,
} from '../../../src/rag/strategies/index.js';
import type { Retriever } from '../../../src/rag/types.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';
import { HashingEmbedder, MemoryIndexDouble, indexedChunk, leaf } from '../retrieval/index-double.js';

const json = (value: unknown) => reply(JSON.stringify(value));
const ids = (list: { chunk: { id: string } }[]) => list.map((h) => h.chunk.id);

describe('hierarchical retrieval', () => {
  const summary = (doc: string, text: string) => indexedChunk({ id: `${doc}#summary`, documentId: doc, index: -1, text, metadata: {}, kind: 'summary' });
  const section = (doc: string, n: number, text: string) => indexedChunk({ id: `${doc}#s${n}`, documentId: doc, index: n, text, metadata: {}, kind: 'parent' });
  const chunks = [
    summary('fs', 'The fs module reads and writes files on disk.'),
    summary('net', 'The net module creates TCP servers and sockets.'),
    section('fs', 0, 'Reading files: fs.readFile reads a file and streams read files.'),
    section('fs', 1, 'Writing files: fs.writeFile writes data.'),
    leaf('fs', 0, 'fs.writeFile writes data to a file, replacing the file.', { parentId: 'fs#s1' }),
    leaf('fs', 1, 'fs.readFile reads a file into memory.', { parentId: 'fs#s0' }),
    leaf('net', 0, 'read file read file read: socket reads file data from a descriptor file.'),
  ];

  test('summary picks the document, section orders its chunks, other documents come last', async () => {
    const index = new MemoryIndexDouble(chunks);
    const keyword = createKeywordRetriever({ index });
    const flat = await keyword.retrieve({ query: 'read a file', topK: 3 });
    assert.equal(flat[0]!.chunk.id, 'net#0');
    let levels: unknown;
    const retriever = createHierarchicalRetriever({ index, embedder: new HashingEmbedder(), documents: 1, sections: 1, chunkRetriever: keyword, onLevels: (l) => (levels = l) });
    const out = await retriever.retrieve({ query: 'read a file', topK: 3 });
    assert.deepEqual(levels, { documents: ['fs'], sections: ['fs#s0'] });
    assert.deepEqual(ids(out), ['fs#1', 'fs#0', 'net#0']);
    assert.equal(out[0]!.via, 'hierarchical');
  });

  test('without summaries it is the plain chunk retriever', async () => {
    const index = new MemoryIndexDouble(chunks.filter((c) => c.kind !== 'summary'));
    const keyword = createKeywordRetriever({ index });
    const out = await createHierarchicalRetriever({ index, embedder: new HashingEmbedder(), chunkRetriever: keyword }).retrieve({ query: 'read a file', topK: 2 });
    assert.deepEqual(ids(out), ids(await keyword.retrieve({ query: 'read a file', topK: 2 })));
    assert.equal(out[0]!.via, 'hierarchical(flat)');
  });
});

describe('corrective RAG', () => {
  const index = new MemoryIndexDouble([
    leaf('a', 0, 'alpha passage about timers'),
    leaf('b', 0, 'beta passage about timers'),
    leaf('c', 0, 'gamma passage about streams'),
  ]);
  const retriever = createKeywordRetriever({ index });
  const byDoc = (grades: Record<string, number>): RelevanceGrader => ({
    name: 'scripted',
    grade: async (_q, passages) => passages.map((p) => grades[p.split(' ')[0]!] ?? 0),
  });

  test('drops chunks graded below 0.6 and keeps the rest best first', async () => {
    const result = await correctiveRetrieve({ retriever, grader: byDoc({ alpha: 0.59, beta: 0.9 }), query: 'passage timers', topK: 3 });
    assert.deepEqual(ids(result.kept), ['b#0']);
    assert.equal(result.kept[0]!.score, 0.9);
    assert.equal(result.nothingRelevant, false);
    assert.deepEqual(result.grades.map((g) => [g.chunkId, g.kept]).sort(), [['a#0', false], ['b#0', true], ['c#0', false]]);
  });

  test('signals when nothing relevant remains', async () => {
    const result = await correctiveRetrieve({ retriever, grader: byDoc({}), query: 'passage timers', topK: 3 });
    assert.deepEqual(result.kept, []);
    assert.equal(result.nothingRelevant, true);
  });

  test('with a model, rewrites the query once and retries; grades still against the original question', async () => {
    const model = new ScriptedModel({ script: [json({ query: 'streams' })] });
    const asked: string[] = [];
    const grader: RelevanceGrader = { name: 'g', grade: async (q, passages) => (asked.push(q), passages.map((p) => (p.startsWith('gamma') ? 0.8 : 0.1))) };
    const result = await correctiveRetrieve({ retriever, grader, query: 'timers', topK: 2, rewriteModel: model });
    assert.equal(result.rewrittenQuery, 'streams');
    assert.deepEqual(ids(result.kept), ['c#0']);
    assert.equal(result.nothingRelevant, false);
    assert.deepEqual(asked, ['timers', 'timers']);
  });

  test('the model grader parses grades; an ungraded passage gets 0.5 and is dropped', async () => {
    const model = new ScriptedModel({ script: [json({ grades: [{ passage: 1, score: 0.95 }] })] });
    const result = await correctiveRetrieve({ retriever, grader: createModelGrader({ model }), query: 'passage timers', topK: 2 });
    assert.equal(result.grades.find((g) => g.chunkId === result.kept[0]!.chunk.id)!.score, 0.95);
    assert.deepEqual(result.grades.map((g) => g.score).sort(), [0.5, 0.95]);
  });

  test('the lexical grader keeps passages covering the question and rejects a bad threshold', async () => {
    const scores = await createLexicalGrader().grade('gamma streams', ['gamma passage about streams', 'alpha passage about timers']);
    assert.equal(scores[0], 1);
    assert.equal(scores[1], 0);
    await assert.rejects(correctiveRetrieve({ retriever, grader: byDoc({}), query: 'x', topK: 1, threshold: 1.5 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_threshold');
  });
});

describe('self-reflective loop', () => {
  const index = new MemoryIndexDouble([
    leaf('cluster', 0, 'The cluster module forks worker processes that share server ports.'),
    leaf('cluster', 1, 'Workers communicate with the primary process over IPC messages.'),
    leaf('os', 0, 'os.cpus() returns one entry per logical CPU core.'),
  ]);
  const queries: string[] = [];
  const keyword = createKeywordRetriever({ index });
  const retriever: Retriever = { name: 'keyword', retrieve: async (r) => (queries.push(r.query), keyword.retrieve(r)) };
  const critique = (supported: boolean, complete: boolean, nextQuery: string) => json({ supported, complete, missing: complete ? '' : 'more', nextQuery });

  test('stops at 3 rounds even when the critic is never satisfied', async () => {
    queries.length = 0;
    const model = new ScriptedModel({
      script: [
        reply('Cluster forks workers [1].'),
        critique(true, false, 'worker IPC messages'),
        reply('Cluster forks workers [2] that talk over IPC [1].'),
        critique(false, false, 'CPU core count'),
        reply('Fork one worker per core [1].'),
      ],
    });
    const result = await selfReflectiveAnswer({ question: 'How does the cluster module fork workers?', retriever, model, topK: 2 });
    assert.equal(result.rounds.length, 3);
    assert.equal(model.callCount, 5);
    assert.deepEqual(queries, ['How does the cluster module fork workers?', 'worker IPC messages', 'CPU core count']);
    assert.equal(result.rounds[2]!.critique, undefined);
    assert.equal(result.answer.answer, 'Fork one worker per core [1].');
    // Round 3's fresh passage (os#0) is first, the earlier ones follow.
    assert.equal(result.answer.sources[0]!.chunk.id, 'os#0');
    assert.equal(result.answer.citations[0]!.chunkId, 'os#0');
  });

  test('stops as soon as the critique is satisfied', async () => {
    const model = new ScriptedModel({ script: [reply('Cluster forks workers [1].'), critique(true, true, '')] });
    const result = await selfReflectiveAnswer({ question: 'How does the cluster module fork workers?', retriever, model });
    assert.equal(result.rounds.length, 1);
    assert.equal(model.callCount, 2);
    assert.deepEqual(result.rounds[0]!.critique, { supported: true, complete: true, missing: '', nextQuery: '' });
  });

  test('more than 3 rounds is refused; without a model it is one extractive round', async () => {
    await assert.rejects(selfReflectiveAnswer({ question: 'q', retriever, model: undefined, maxRounds: 4 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_rounds');
    const offline = await selfReflectiveAnswer({ question: 'How does the cluster module fork workers?', retriever, model: undefined });
    assert.equal(offline.rounds.length, 1);
    assert.equal(offline.answer.mode, 'extracted');
    assert.equal(offline.answer.citations[0]!.chunkId, 'cluster#0');
  });
});

describe('adaptive selection', () => {
  test('query features pick the query type', () => {
    assert.equal(extractQueryFeatures('How do I use fs.readFile with an encoding?').queryType, 'identifier');
    assert.deepEqual(extractQueryFeatures('what does --max-old-space-size do').identifiers, ['--max-old-space-size']);
    assert.equal(extractQueryFeatures('What does ERR_INVALID_ARG_TYPE mean?').queryType, 'identifier');
    assert.equal(extractQueryFeatures('What is the difference between spawn and fork?').queryType, 'multi-part');
    assert.equal(extractQueryFeatures('How do I read a file? And how do I delete one?').queryType, 'multi-part');
    assert.equal(extractQueryFeatures('Why is the event loop single threaded?').queryType, 'conceptual');
    assert.equal(extractQueryFeatures('how can I read a file line by line').queryType, 'factual');
    const history = [{ role: 'user' as const, content: 'How do I start a server?' }];
    assert.equal(extractQueryFeatures('and which port does it use?', history).queryType, 'follow-up');
    assert.equal(extractQueryFeatures('and which port does it use?').queryType, 'factual');
  });

  test('rules: identifiers → keyword-heavy hybrid, multi-part → decompose, conceptual → hierarchical', async () => {
    const identifier = await selectStrategy(extractQueryFeatures('fs.createReadStream options'));
    assert.equal(identifier.strategy, 'hybrid');
    assert.deepEqual(identifier.hybridWeights, IDENTIFIER_HYBRID_WEIGHTS);
    assert.equal((await selectStrategy(extractQueryFeatures('Compare spawn versus exec'))).strategy, 'decompose');
    assert.equal((await selectStrategy(extractQueryFeatures('Explain how streams work'))).strategy, 'hierarchical');
    assert.equal((await selectStrategy(extractQueryFeatures('how can I read a file line by line'))).source, 'rule');
  });

  test('feedback: a strategy that scored better for this query type takes over after 3 samples', async () => {
    const feedback = createMemoryFeedbackLog();
    const features = extractQueryFeatures('how can I read a file line by line');
    for (let i = 0; i < 3; i++) await feedback.record({ query: `q${i}`, queryType: 'factual', strategy: 'hybrid', score: 0.5 });
    for (let i = 0; i < 2; i++) await feedback.record({ query: `r${i}`, queryType: 'factual', strategy: 'multi-query', score: 0.9 });
    assert.equal((await selectStrategy(features, { feedback })).strategy, 'hybrid');
    await feedback.record({ query: 'r2', queryType: 'factual', strategy: 'multi-query', score: 0.9 });
    const learned = await selectStrategy(features, { feedback });
    assert.equal(learned.strategy, 'multi-query');
    assert.equal(learned.source, 'feedback');
    assert.match(learned.reason, /multi-query averaged 0\.90 over 3 factual queries vs 0\.50 for hybrid/);
    // Other query types are unaffected.
    assert.equal((await selectStrategy(extractQueryFeatures('Explain how streams work'), { feedback })).strategy, 'hierarchical');
    // Within the margin, the rule stands.
    const close = createMemoryFeedbackLog();
    for (let i = 0; i < 3; i++) {
      await close.record({ query: `q${i}`, queryType: 'factual', strategy: 'hybrid', score: 0.86 });
      await close.record({ query: `r${i}`, queryType: 'factual', strategy: 'mmr', score: 0.9 });
    }
    assert.equal((await selectStrategy(features, { feedback: close })).strategy, 'hybrid');
    await assert.rejects(close.record({ query: 'x', queryType: 'factual', strategy: 'hybrid', score: 2 }), /score/);
  });
});
