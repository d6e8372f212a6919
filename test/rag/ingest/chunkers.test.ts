import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConduitError } from '../../../src/core/errors.js';
import { tokenizerFor } from '../../../src/models/tokenizer/index.js';
import {
  createChunker,
  createParentChildChunker,
  createRecursiveChunker,
  createSemanticChunker,
  createTokenWindowChunker,
} from '../../../src/rag/chunkers/index.js';
import { loadBuffer, loadFile, loadString } from '../../../src/rag/loaders/index.js';
import type { Chunk, RagDocument } from '../../../src/rag/types.js';
import { createTopicEmbedder } from './test-embedder.js';

const FIXTURES = new URL('../fixtures/ingest/', import.meta.url).pathname;
const tokenizer = tokenizerFor('openai', 'text-embedding-3-small');

const SENTENCES = [
  'The harbour opened at dawn and the first boats slipped out past the breakwater.',
  'Fishermen counted their nets twice, because a torn net meant a wasted morning.',
  'By noon the market was loud with gulls, buyers and the smell of salt.',
  'Prices rose when the catch was small and fell when the trawlers came back full.',
  'In the evening the lamps along the quay were lit one by one.',
];

function longText(paragraphs: number): string {
  return Array.from({ length: paragraphs }, (_, p) => SENTENCES.map((s) => s.replace('.', ` (${p}).`)).join(' ')).join('\n\n');
}

function doc(text: string, metadata: RagDocument['metadata'] = {}): RagDocument {
  return { id: 'doc', text, metadata: { source: 'test', ...metadata } };
}

/** Every chunk's text is the document slice its offsets name, ids are sequential. */
function assertFaithful(document: RagDocument, chunks: readonly Chunk[]): void {
  chunks.forEach((c) => {
    assert.equal(c.documentId, document.id);
    const start = Number(c.metadata.start);
    const end = Number(c.metadata.end);
    assert.equal(c.text, document.text.slice(start, end), `chunk ${c.id} text matches its offsets`);
    assert.equal(c.text, c.text.trim());
  });
  const leaves = chunks.filter((c) => c.kind !== 'parent');
  assert.deepEqual(leaves.map((c) => c.id), leaves.map((_, i) => `${document.id}#${i}`));
  assert.deepEqual(leaves.map((c) => c.index), leaves.map((_, i) => i));
}

/** Every non-space character of the document is inside some chunk. */
function assertCovers(document: RagDocument, chunks: readonly Chunk[]): void {
  const covered = new Array<boolean>(document.text.length).fill(false);
  for (const c of chunks) for (let i = Number(c.metadata.start); i < Number(c.metadata.end); i++) covered[i] = true;
  for (let i = 0; i < document.text.length; i++) {
    if (!/\s/.test(document.text[i] ?? '')) assert.ok(covered[i], `character ${i} (${document.text.slice(i, i + 20)}…) is in no chunk`);
  }
}

describe('token-window chunker', () => {
  test('windows hold at most `size` real tokens, overlap by at most `overlap`, and cover the text', async () => {
    const document = doc(longText(8));
    const chunks = await createTokenWindowChunker({ size: 60, overlap: 15 }).chunk(document);
    assert.ok(chunks.length > 8, `expected many windows, got ${chunks.length}`);
    assertFaithful(document, chunks);
    assertCovers(document, chunks);
    for (const c of chunks) assert.ok(tokenizer.count(c.text) <= 60, `${c.id} has ${tokenizer.count(c.text)} tokens`);
    // Windows are nearly full: only the last may be short.
    for (const c of chunks.slice(0, -1)) assert.ok(tokenizer.count(c.text) >= 40, `${c.id} is only ${tokenizer.count(c.text)} tokens`);
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]!;
      const cur = chunks[i]!;
      const prevEnd = Number(prev.metadata.end);
      const curStart = Number(cur.metadata.start);
      assert.ok(curStart < prevEnd, 'consecutive windows overlap');
      assert.ok(curStart > Number(prev.metadata.start), 'windows move forward');
      const shared = document.text.slice(curStart, prevEnd);
      assert.ok(tokenizer.count(shared) <= 15 + 1, `overlap of ${tokenizer.count(shared)} tokens`);
      assert.ok(tokenizer.count(shared) >= 5, 'overlap carries some words');
    }
    assert.equal(chunks[0]?.metadata.chunker, 'token-window');
  });

  test('no overlap: windows tile the text; a single over-long "word" is cut to fit', async () => {
    const blob = 'x'.repeat(3000);
    const document = doc(`start ${blob} end`);
    const chunks = await createTokenWindowChunker({ size: 100, overlap: 0 }).chunk(document);
    assertFaithful(document, chunks);
    assertCovers(document, chunks);
    for (const c of chunks) assert.ok(tokenizer.count(c.text) <= 100);
    for (let i = 1; i < chunks.length; i++) assert.ok(Number(chunks[i]!.metadata.start) >= Number(chunks[i - 1]!.metadata.end));
    assert.throws(() => createTokenWindowChunker({ size: 10, overlap: 10 }), (err: unknown) => err instanceof ConduitError && err.code === 'invalid_chunking' && err.param === 'overlap');
  });

  test('Markdown windows name the section they start in', async () => {
    const document = doc(`# Intro\n\n${longText(2)}\n\n## Details\n\n${longText(2)}`, { format: 'markdown' });
    const chunks = await createTokenWindowChunker({ size: 50, overlap: 0 }).chunk(document);
    const detailsAt = document.text.indexOf('## Details');
    for (const c of chunks) {
      assert.equal(c.metadata.section, Number(c.metadata.start) < detailsAt ? 'Intro' : 'Intro > Details', `${c.id} at ${String(c.metadata.start)}`);
    }
    assert.ok(chunks.some((c) => c.metadata.section === 'Intro > Details'));
  });
});

describe('recursive (structure-aware) chunker', () => {
  test('Markdown: one section per chunk, heading paths kept, code comments are not headings', async () => {
    const [document] = await loadFile(join(FIXTURES, 'corpus/guides/setup.md'));
    assert.ok(document);
    const chunks = await createRecursiveChunker({ maxTokens: 200 }).chunk(document);
    assertFaithful(document, chunks);
    assertCovers(document, chunks);
    assert.deepEqual(
      chunks.map((c) => c.metadata.section),
      ['Installation', 'Installation > Configuration', 'Installation > Configuration > Ports', 'Troubleshooting'],
    );
    assert.deepEqual(chunks[2]?.metadata.headings, ['Installation', 'Configuration', 'Ports']);
    assert.match(chunks[0]?.text ?? '', /# this is a comment inside code, not a heading\ncollector --init/);
    assert.ok(chunks[3]?.text.startsWith('# Troubleshooting'));
    // Document metadata is carried into every chunk.
    assert.equal(chunks[1]?.metadata.title, 'Setting up the collector');
    assert.equal(chunks[1]?.metadata.type, 'markdown');
  });

  test('a heading directly followed by a sub-heading opens that section instead of making a chunk alone', async () => {
    const document = doc('# Guide\n\n## Part one\n\nFirst part text.\n\n## Part two\n\nSecond part text.', { format: 'markdown' });
    const chunks = await createRecursiveChunker().chunk(document);
    assert.deepEqual(chunks.map((c) => [c.metadata.section, c.text]), [
      ['Guide > Part one', '# Guide\n\n## Part one\n\nFirst part text.'],
      ['Guide > Part two', '## Part two\n\nSecond part text.'],
    ]);
  });

  test('over-long sections are split at paragraph, then sentence boundaries, within the token limit', async () => {
    const document = doc(`# Harbour\n\n${longText(6)}`, { format: 'markdown' });
    const chunks = await createRecursiveChunker({ maxTokens: 120 }).chunk(document);
    assertFaithful(document, chunks);
    assertCovers(document, chunks);
    assert.ok(chunks.length >= 6);
    for (const c of chunks) {
      assert.ok(tokenizer.count(c.text) <= 120, `${c.id}: ${tokenizer.count(c.text)} tokens`);
      assert.match(c.text, /[.)]$/, `${c.id} ends at a sentence boundary: …${c.text.slice(-30)}`);
      assert.equal(c.metadata.section, 'Harbour');
    }
    const small = await createRecursiveChunker({ maxTokens: 40 }).chunk(document);
    for (const c of small) assert.ok(tokenizer.count(c.text) <= 40);
    assert.ok(small.length > chunks.length);
    for (const c of small) assert.match(c.text, /^(# Harbour|The harbour|Fishermen|By noon|Prices|In the evening)/, `${c.id} starts at a sentence`);
  });

  test('plain text is split by paragraphs and packs small ones together', async () => {
    const document = doc('Alpha one.\n\nBeta two.\n\nGamma three.');
    const chunks = await createRecursiveChunker({ maxTokens: 8 }).chunk(document);
    assert.deepEqual(chunks.map((c) => c.text), ['Alpha one.\n\nBeta two.', 'Gamma three.']);
    assert.equal(chunks[0]?.metadata.headings, undefined);
  });

  test('HTML sections from the HTML loader become heading paths', async () => {
    const [document] = await loadBuffer(await readFile(join(FIXTURES, 'corpus/article.html')), { filename: 'tidal.html' });
    const chunks = await createChunker({ strategy: 'recursive', maxTokens: 300 }).chunk(document!);
    assert.deepEqual(chunks.map((c) => c.metadata.section), ['Tidal Power Explained', 'Tidal Power Explained > Tidal stream generators', 'Tidal Power Explained > Tidal barrages']);
  });

  test('chunks of paged documents (PDF) record the page they start on', async () => {
    // The PDF loader's shape: pages joined by a blank line, each page's start offset in `pageOffsets`.
    const text = 'Page one talks about apples.\n\nPage two talks about pears.';
    const document = doc(text, { type: 'pdf', pages: 2, pageOffsets: [0, text.indexOf('Page two')] });
    const chunks = await createRecursiveChunker({ maxTokens: 8 }).chunk(document);
    assert.deepEqual(chunks.map((c) => [c.text, c.metadata.page]), [
      ['Page one talks about apples.', 1],
      ['Page two talks about pears.', 2],
    ]);
    assert.equal(chunks[0]?.metadata.pageOffsets, undefined, 'document-only metadata stays on the document');
    assert.equal(chunks[0]?.metadata.pages, 2);
  });
});

describe('semantic chunker', () => {
  const text =
    'Cats sleep most of the day. A cat purrs when it is content. ' +
    'The rocket lifted off at nine. Its second stage burned for six minutes. The rocket reached orbit. ' +
    'Back home, the cat was asleep again.';

  test('splits where adjacent sentences stop being similar', async () => {
    const embedder = createTopicEmbedder(['cat', 'rocket', 'stage']);
    const [document] = await loadString(text, { id: 'story' });
    const chunks = await createSemanticChunker({ embedder }).chunk(document!);
    assertFaithful(document!, chunks);
    assert.deepEqual(chunks.map((c) => c.text), [
      'Cats sleep most of the day. A cat purrs when it is content.',
      'The rocket lifted off at nine.',
      'Its second stage burned for six minutes.',
      'The rocket reached orbit.',
      'Back home, the cat was asleep again.',
    ]);
    assert.equal(embedder.calls.length, 1, 'sentences are embedded in one batch');
    assert.equal(embedder.calls[0]?.length, 6);
  });

  test('a lower threshold merges across topics; maxTokens still bounds chunks; batches are respected', async () => {
    const embedder = createTopicEmbedder(['cat', 'rocket', 'stage']);
    const document = doc(text);
    const merged = await createSemanticChunker({ embedder, threshold: -1 }).chunk(document);
    assert.deepEqual(merged.map((c) => c.text), [text]);
    const bounded = await createSemanticChunker({ embedder, threshold: -1, maxTokens: 20, batchSize: 4 }).chunk(document);
    assert.ok(bounded.length > 1);
    for (const c of bounded) assert.ok(tokenizer.count(c.text) <= 20);
    assert.deepEqual(embedder.calls.slice(-2).map((c) => c.length), [4, 2]);
    assert.throws(() => createChunker({ strategy: 'semantic' }), /needs an embedding model/);
  });
});

describe('parent/child chunker', () => {
  test('small children point at large parents that contain them', async () => {
    const document = doc(`# Harbour\n\n${longText(10)}`, { format: 'markdown' });
    const chunks = await createParentChildChunker({ parentTokens: 300, childTokens: 60 }).chunk(document);
    const parents = chunks.filter((c) => c.kind === 'parent');
    const children = chunks.filter((c) => c.kind !== 'parent');
    assertFaithful(document, chunks);
    assertCovers(document, children);
    assert.ok(parents.length >= 2);
    assert.ok(children.length > parents.length * 3);
    assert.deepEqual(parents.map((p) => p.id), parents.map((_, i) => `doc#p${i}`));
    const byId = new Map(parents.map((p) => [p.id, p]));
    for (const child of children) {
      assert.equal(child.kind, undefined);
      const parent = byId.get(child.parentId ?? '');
      assert.ok(parent, `${child.id} has a parent`);
      assert.ok(Number(child.metadata.start) >= Number(parent.metadata.start) && Number(child.metadata.end) <= Number(parent.metadata.end));
      assert.ok(tokenizer.count(child.text) <= 60);
      assert.equal(child.metadata.section, 'Harbour');
    }
    for (const p of parents) assert.ok(tokenizer.count(p.text) <= 300);
    assert.throws(() => createParentChildChunker({ parentTokens: 100, childTokens: 100 }), (err: unknown) => err instanceof ConduitError && err.code === 'invalid_chunking');
    assert.throws(() => createChunker({ strategy: 'recursive', maxTokens: 0 }), (err: unknown) => err instanceof ConduitError && err.status === 400 && err.param === 'maxTokens');
  });
});
