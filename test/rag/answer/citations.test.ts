import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCitations } from '../../../src/rag/answer/citations.js';
import { buildContextBlocks } from '../../../src/rag/answer/context-blocks.js';
import { nodeChunks } from './answer-fixtures.js';

describe('parseCitations', () => {
  test('maps numbers to the chunks they index, once each, in order of appearance', () => {
    const parsed = parseCitations('readFile returns a Buffer [2]. Servers emit request events [1][2].', nodeChunks);
    assert.deepEqual(parsed.citations, [
      { number: 2, chunkId: 'fs#3', documentId: 'fs' },
      { number: 1, chunkId: 'http#0', documentId: 'http' },
    ]);
    assert.deepEqual(parsed.dropped, []);
    assert.equal(parsed.text, 'readFile returns a Buffer [2]. Servers emit request events [1][2].');
  });

  test('removes and reports numbers that point at no passage, keeping the valid part of a group', () => {
    const parsed = parseCitations('A claim [7]. Another [1, 9]. Range [2-4].', nodeChunks);
    assert.deepEqual(parsed.dropped, [7, 9, 4]);
    assert.equal(parsed.text, 'A claim. Another [1]. Range [2, 3].');
    assert.deepEqual(parsed.citations.map((c) => c.chunkId), ['http#0', 'fs#3', 'timers#1']);
  });

  test('[0] is never valid', () => {
    const parsed = parseCitations('Zero [0].', nodeChunks);
    assert.deepEqual(parsed.dropped, [0]);
    assert.deepEqual(parsed.citations, []);
  });
});

describe('buildContextBlocks', () => {
  test('numbers blocks from 1 with their document, and leaves out whole chunks over the budget', () => {
    const full = buildContextBlocks(nodeChunks);
    assert.match(full.text, /^\[1\] \(document: http; title: HTTP\)\nThe http module/);
    assert.match(full.text, /\n\n\[3\] \(document: timers\)\nTimers/);
    const budget = buildContextBlocks(nodeChunks, 400);
    assert.deepEqual(budget.sources.map((s) => s.chunk.id), ['http#0', 'fs#3']);
    assert.doesNotMatch(budget.text, /\[3\]/);
  });

  test('skips duplicate chunks so numbers stay unique', () => {
    const blocks = buildContextBlocks([nodeChunks[0]!, nodeChunks[0]!, nodeChunks[1]!]);
    assert.deepEqual(blocks.sources.map((s) => s.chunk.id), ['http#0', 'fs#3']);
  });
});

describe('splitSentences', () => {
  test('splits before lower-case identifiers, not after abbreviations, and on list lines', async () => {
    const { splitSentences } = await import('../../../src/rag/answer/sentences.js');
    assert.deepEqual(splitSentences('Some modules, e.g. fs and net, are core. os.cpus() lists the cores.\n- a list item here\n# Title'), [
      'Some modules, e.g. fs and net, are core.',
      'os.cpus() lists the cores.',
      'a list item here',
    ]);
  });

  test('joins the hard-wrapped lines of a paragraph, keeps list items apart, drops headings and code', async () => {
    const { splitSentences } = await import('../../../src/rag/answer/sentences.js');
    const markdown = [
      '## Example: Read file stream line-by-Line',
      '',
      'A common use case for `readline` is to consume an input file one line at a',
      'time. The easiest way to do so is leveraging the `fs.ReadStream` API.',
      '',
      '* the first item of a list',
      '  wraps onto a second line',
      '* a second list item here',
      '',
      '```js',
      'const rl = readline.createInterface({ input });',
      '```',
    ].join('\n');
    assert.deepEqual(splitSentences(markdown), [
      'A common use case for `readline` is to consume an input file one line at a time.',
      'The easiest way to do so is leveraging the `fs.ReadStream` API.',
      'the first item of a list wraps onto a second line',
      'a second list item here',
    ]);
  });
});
