import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerWithContext, EXTRACTED_ANSWER_LABEL, extractAnswer } from '../../../src/rag/answer/index.js';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { ConduitError } from '../../../src/core/errors.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';
import { hit, nodeChunks } from './answer-fixtures.js';
import { HashingEmbedder, hashVector } from '../retrieval/index-double.js';

describe('answerWithContext with a model', () => {
  test('sends numbered context and maps the answer citations to chunk ids', async () => {
    const model = new ScriptedModel({ script: [reply('fs.readFile() returns a Buffer by default [2], unless an encoding is given [5].', { usage: { inputTokens: 120, outputTokens: 20 } })] });
    const answer = await answerWithContext({ model, question: 'What does fs.readFile return by default?', chunks: nodeChunks, strategy: 'hybrid' });
    assert.equal(answer.mode, 'generated');
    assert.equal(answer.insufficientContext, false);
    assert.equal(answer.answer, 'fs.readFile() returns a Buffer by default [2], unless an encoding is given.');
    assert.deepEqual(answer.citations, [{ number: 2, chunkId: 'fs#3', documentId: 'fs' }]);
    assert.deepEqual(answer.droppedCitations, [5]);
    assert.deepEqual(answer.sources.map((s) => s.chunk.id), ['http#0', 'fs#3', 'timers#1']);
    assert.equal(answer.strategy, 'hybrid');
    assert.equal(answer.usage.inputTokens, 120);
    const request = model.calls[0]!.request;
    assert.equal(request.temperature, 0);
    const user = request.messages[1]!.content as string;
    assert.match(user, /\[2\] \(document: fs; title: File system\)\nThe fs module/);
    assert.match(user, /Question: What does fs.readFile return by default\?$/);
    assert.match(request.messages[0]!.content as string, /The documents do not say/);
  });

  test('a model saying the documents do not cover it gives insufficientContext', async () => {
    const model = new ScriptedModel({ script: [reply('The documents do not say how to configure TLS ciphers.')] });
    const answer = await answerWithContext({ model, question: 'Which TLS ciphers does the http module use?', chunks: nodeChunks });
    assert.equal(answer.insufficientContext, true);
    assert.deepEqual(answer.citations, []);
    assert.match(answer.answer, /^The documents do not say/);
  });

  test('no chunk above the relevance floor: explicit answer and no model call', async () => {
    const model = new ScriptedModel();
    const answer = await answerWithContext({ model, question: 'How do I bake sourdough bread?', chunks: nodeChunks });
    assert.equal(answer.insufficientContext, true);
    assert.match(answer.answer, /^The documents do not say anything that answers "How do I bake sourdough bread"/);
    assert.equal(model.callCount, 0);
    const none = await answerWithContext({ model, question: 'anything?', chunks: [] });
    assert.equal(none.insufficientContext, true);
    assert.equal(model.callCount, 0);
  });

  test('a paraphrase with no shared word passes the floor on embedding similarity', async () => {
    const embedder = new HashingEmbedder();
    const question = 'zzz qqq?';
    embedder.overrides.set(question, hashVector(nodeChunks[1]!.chunk.text));
    const model = new ScriptedModel({ script: [reply('It reads whole files [2].')] });
    const answer = await answerWithContext({ model, embedder, question, chunks: nodeChunks });
    assert.equal(model.callCount, 1);
    assert.equal(answer.insufficientContext, false);
    assert.ok((answer.usage.embeddingTokens ?? 0) > 0);
    const withoutEmbedder = await answerWithContext({ model, question, chunks: nodeChunks });
    assert.equal(withoutEmbedder.insufficientContext, true);
    assert.equal(model.callCount, 1);
  });

  test('an empty question is a typed 400', async () => {
    await assert.rejects(answerWithContext({ question: ' ', chunks: nodeChunks }), (e: unknown) => e instanceof ConduitError && e.kind === 'invalid_request');
  });
});

describe('extractive answers (offline)', () => {
  test('without a model: the sentence holding the answer, cited and labelled as extracted', async () => {
    const answer = await answerWithContext({ question: 'What is the default encoding of readFile?', chunks: nodeChunks, maxSentences: 1 });
    assert.equal(answer.mode, 'extracted');
    assert.equal(answer.answer, `${EXTRACTED_ANSWER_LABEL}\n- "The default encoding is null, which returns a Buffer." [2]`);
    assert.deepEqual(answer.citations, [{ number: 2, chunkId: 'fs#3', documentId: 'fs' }]);
    assert.equal(answer.insufficientContext, false);
  });

  test('the offline provider also gets the extractive answer, never its configuration message', async () => {
    const answer = await answerWithContext({ model: createOfflineModel(), question: 'When does setImmediate run its callback?', chunks: nodeChunks });
    assert.equal(answer.mode, 'extracted');
    assert.match(answer.answer, /^Extracted from the documents \(no model configured\):\n- "setImmediate\(\) runs a callback after I\/O events\." \[3\]/);
    assert.equal(answer.citations[0]!.chunkId, 'timers#1');
  });

  test('nothing matching: extracted "The documents do not say"', async () => {
    const answer = await extractAnswer({ question: 'How do I bake sourdough bread?', chunks: nodeChunks });
    assert.equal(answer.insufficientContext, true);
    assert.match(answer.answer, /The documents do not say/);
    assert.deepEqual(answer.citations, []);
  });
});

describe('extractive answers with the embedded embedding model', () => {
  const embedder = createDefaultEmbeddingModel();
  before(async () => loadDefaultEmbeddingModel());

  test('a paraphrased question still finds the sentence by meaning', async () => {
    const chunks = [
      hit('cluster#0', 'The cluster module allows easy creation of child processes that all share server ports. Workers are spawned with fork().'),
      hit('os#0', 'The os module provides operating system-related utility methods. os.cpus() returns information about each logical CPU core.'),
    ];
    const answer = await extractAnswer({ question: 'how can I find out how many processor cores the machine has', chunks, embedder, maxSentences: 1 });
    assert.equal(answer.extracts[0]!.sentence, 'os.cpus() returns information about each logical CPU core.');
    assert.equal(answer.citations[0]!.chunkId, 'os#0');
    assert.ok((answer.usage.embeddingTokens ?? 0) > 0);
  });
});
