import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { createKeywordRetriever } from '../../../src/rag/retrieval/index.js';
import {
  answerByDecomposition,
  createHydeRetriever,
  createMultiQueryRetriever,
  orderSubQuestions,
  RagUsageMeter,
  rewriteFollowUp,
  substituteFindings,
} from '../../../src/rag/transform/index.js';
import type { Retriever } from '../../../src/rag/types.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';
import { HashingEmbedder, MemoryIndexDouble, leaf } from '../retrieval/index-double.js';

const json = (value: unknown) => reply(JSON.stringify(value), { usage: { inputTokens: 50, outputTokens: 10 } });
const userText = (model: ScriptedModel, call: number) =>
  model.calls[call]!.request.messages.filter((m) => m.role === 'user').map((m) => m.content as string).join('\n');

describe('multi-query', () => {
  test('retrieves the original and every rephrasing, then fuses with RRF', async () => {
    const seen: string[] = [];
    const lists: Record<string, string[]> = {
      'read a file': ['a', 'b'],
      'load file contents': ['c', 'a'],
      'fs.readFile usage': ['a', 'c'],
    };
    const base: Retriever = {
      name: 'keyword',
      retrieve: async (r) => {
        seen.push(r.query);
        return (lists[r.query] ?? []).map((id, i) => ({ chunk: { id, documentId: id, index: 0, text: id, metadata: {} }, score: 1 - i / 10, via: 'keyword' }));
      },
    };
    const model = new ScriptedModel({ script: [json({ queries: ['load file contents', 'Read a file!', 'fs.readFile usage'] })] });
    const usage = new RagUsageMeter();
    const out = await createMultiQueryRetriever({ base, model, usage }).retrieve({ query: 'read a file', topK: 3 });
    // The duplicate of the original ("Read a file!") is not retrieved twice.
    assert.deepEqual(seen, ['read a file', 'load file contents', 'fs.readFile usage']);
    assert.deepEqual(out.map((h) => h.chunk.id), ['a', 'c', 'b']);
    assert.equal(out[0]!.via, 'multi-query');
    assert.equal(usage.snapshot().inputTokens, 50);
  });

  test('the offline provider means the original query only, no model call', async () => {
    const seen: string[] = [];
    const base: Retriever = { name: 'k', retrieve: async (r) => (seen.push(r.query), []) };
    await createMultiQueryRetriever({ base, model: createOfflineModel() }).retrieve({ query: 'q', topK: 2 });
    assert.deepEqual(seen, ['q']);
  });
});

describe('HyDE', () => {
  test('searches with the hypothetical passage, which finds what the question words alone do not', async () => {
    const index = new MemoryIndexDouble([
      leaf('a', 0, 'Questions about memory: what is memory and why memory matters.'),
      leaf('b', 0, 'The heap limit flag max-old-space-size raises the V8 heap limit for large applications.'),
    ]);
    const embedder = new HashingEmbedder();
    const question = 'why does my app run out of memory?';
    const plain = await createHydeRetriever({ index, embedder, model: undefined }).retrieve({ query: question, topK: 1 });
    assert.equal(plain[0]!.chunk.id, 'a#0');
    const model = new ScriptedModel({ script: [reply('Raise the V8 heap limit with the flag max-old-space-size; large applications exceed the default heap limit.')] });
    let hypothesis = '';
    const hyde = await createHydeRetriever({ index, embedder, model, includeQuery: false, onHypothesis: (h) => (hypothesis = h) }).retrieve({ query: question, topK: 1 });
    assert.equal(hyde[0]!.chunk.id, 'b#0');
    assert.equal(hyde[0]!.via, 'hyde');
    assert.match(hypothesis, /max-old-space-size/);
    assert.equal(userText(model, 0), question);
  });
});

describe('decomposition', () => {
  test('orders a DAG by dependencies (Kahn, stable) and rejects cycles', () => {
    const order = orderSubQuestions({
      subQuestions: [
        { id: 'q3', question: 'c', dependsOn: ['q1', 'q2'] },
        { id: 'q2', question: 'b', dependsOn: ['q1', 'ghost'] },
        { id: 'q1', question: 'a', dependsOn: [] },
      ],
    });
    assert.deepEqual(order.map((s) => s.id), ['q1', 'q2', 'q3']);
    assert.deepEqual(order[1]!.dependsOn, ['q1']);
    assert.throws(
      () => orderSubQuestions({ subQuestions: [{ id: 'x', question: 'x', dependsOn: ['y'] }, { id: 'y', question: 'y', dependsOn: ['x'] }] }),
      (e: unknown) => e instanceof ConduitError && e.code === 'invalid_decomposition',
    );
    assert.equal(substituteFindings('Options of {q1} and {q9}?', new Map([['q1', 'crypto']])), 'Options of crypto and {q9}?');
  });

  test('answers sub-questions in dependency order, feeding findings into the dependent question', async () => {
    const index = new MemoryIndexDouble([
      leaf('crypto', 0, 'The crypto module provides cryptographic functionality, including createHash and hmac.'),
      leaf('crypto', 1, 'crypto.pbkdf2() derives a key from a password using a salt and an iteration count.'),
      leaf('zlib', 0, 'The zlib module provides compression using gzip and deflate.'),
    ]);
    const retrieved: string[] = [];
    const keyword = createKeywordRetriever({ index });
    const retriever: Retriever = { name: 'keyword', retrieve: async (r) => (retrieved.push(r.query), keyword.retrieve(r)) };
    const model = new ScriptedModel({
      script: [
        // The plan lists the dependent question first: the order must come from the DAG, not the list.
        json({
          subQuestions: [
            { id: 'q2', question: 'Which function of {q1} derives a key from a password?', dependsOn: ['q1'] },
            { id: 'q1', question: 'Which module provides createHash?', dependsOn: [] },
          ],
        }),
        reply('The crypto module [1].'),
        reply('crypto.pbkdf2() [1].'),
        reply('Use crypto.pbkdf2() [2], which the crypto module provides [1].'),
      ],
    });
    const result = await answerByDecomposition({ question: 'How do I derive a key from a password with the module that has createHash?', model, retriever, topK: 1 });
    assert.deepEqual(result.steps.map((s) => s.id), ['q1', 'q2']);
    assert.equal(result.steps[1]!.question, 'Which function of The crypto module derives a key from a password?');
    assert.deepEqual(retrieved, ['Which module provides createHash?', 'Which function of The crypto module derives a key from a password?']);
    assert.match(userText(model, 2), /Previous finding \(q1\): The crypto module\n/);
    assert.equal(result.steps[0]!.answer.citations[0]!.chunkId, 'crypto#0');
    assert.equal(result.steps[1]!.answer.citations[0]!.chunkId, 'crypto#1');
    // The synthesis cites the union of the sub-questions' passages, numbered in step order.
    assert.deepEqual(result.answer.sources.map((s) => s.chunk.id), ['crypto#0', 'crypto#1']);
    assert.equal(result.answer.answer, 'Use crypto.pbkdf2() [2], which the crypto module provides [1].');
    assert.deepEqual(result.answer.citations.map((c) => c.chunkId), ['crypto#1', 'crypto#0']);
    assert.match(userText(model, 3), /Finding \(q2\) Which function of The crypto module derives a key from a password\? → crypto\.pbkdf2\(\)/);
    assert.equal(result.answer.strategy, 'decompose');
    assert.equal(model.callCount, 4);
  });

  test('without a model: independent parts answered extractively', async () => {
    const index = new MemoryIndexDouble([
      leaf('os', 0, 'os.cpus() returns information about each logical CPU core.'),
      leaf('os', 1, 'os.totalmem() returns the total amount of system memory in bytes.'),
    ]);
    const result = await answerByDecomposition({ question: 'How do I list CPU cores? How do I get total memory?', model: undefined, retriever: createKeywordRetriever({ index }) });
    assert.deepEqual(result.steps.map((s) => s.question), ['How do I list CPU cores?', 'How do I get total memory?']);
    assert.equal(result.answer.mode, 'extracted');
    assert.deepEqual(new Set(result.answer.citations.map((c) => c.chunkId)), new Set(['os#0', 'os#1']));
  });
});

describe('conversational rewriting', () => {
  const history = [
    { role: 'user' as const, content: 'How do I create an HTTP server?' },
    { role: 'assistant' as const, content: 'Use http.createServer() [1].' },
  ];

  test('the model turns a follow-up into a standalone question', async () => {
    const model = new ScriptedModel({ script: [json({ standalone: 'Which events does the server returned by http.createServer() emit?' })] });
    const result = await rewriteFollowUp({ model, question: 'which events does it emit?', history });
    assert.deepEqual(result, { question: 'Which events does the server returned by http.createServer() emit?', rewritten: true, method: 'model' });
    assert.match(userText(model, 0), /User: How do I create an HTTP server\?\nAssistant: Use http.createServer\(\) \[1\]\.\n\nFollow-up question: which events does it emit\?/);
  });

  test('no history: unchanged and no call; offline: the previous user turn is attached to a follow-up', async () => {
    const model = new ScriptedModel();
    assert.deepEqual(await rewriteFollowUp({ model, question: 'which events does it emit?', history: [] }), { question: 'which events does it emit?', rewritten: false, method: 'none' });
    assert.equal(model.callCount, 0);
    const offline = await rewriteFollowUp({ model: createOfflineModel(), question: 'which events does it emit?', history });
    assert.equal(offline.question, 'which events does it emit? (regarding: How do I create an HTTP server?)');
    const standalone = await rewriteFollowUp({ model: undefined, question: 'How do I read a file with fs.readFile in Node.js?', history });
    assert.equal(standalone.rewritten, false);
  });
});

