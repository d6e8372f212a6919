import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ConduitError } from '../../../src/core/errors.js';
import { loadBuffer, loadDirectory, loadFile, loadPath, loadSource, loadString } from '../../../src/rag/loaders/index.js';

const FIXTURES = new URL('../fixtures/ingest/', import.meta.url).pathname;
const CORPUS = join(FIXTURES, 'corpus');

function isConduitError(kind: string, code: string) {
  return (err: unknown): boolean => err instanceof ConduitError && err.kind === kind && err.code === code;
}

async function makePdf(pages: string[][], title?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([400, 300]);
    lines.forEach((line, i) => page.drawText(line, { x: 20, y: 260 - i * 16, size: 11, font }));
  }
  if (title) pdf.setTitle(title);
  return pdf.save();
}

describe('plain text and Markdown', () => {
  test('plain text: one document, CRLF normalised, id from the file name, metadata kept', async () => {
    const [doc, ...rest] = await loadFile(join(CORPUS, 'notes.txt'));
    assert.equal(rest.length, 0);
    assert.ok(doc);
    assert.equal(doc.id, 'notes.txt');
    assert.equal(doc.text, 'Release notes\n\nVersion 2 adds streaming uploads.\nVersion 1 was the first release.\n');
    assert.equal(doc.metadata.type, 'text');
    assert.equal(doc.metadata.title, 'Release notes');
    assert.equal(doc.metadata.source, join(CORPUS, 'notes.txt'));
    assert.equal(typeof doc.metadata.mtime, 'string');
    assert.ok(!Number.isNaN(Date.parse(String(doc.metadata.mtime))));
  });

  test('Markdown keeps its headings in the text and lifts front matter into metadata', async () => {
    const [doc] = await loadFile(join(CORPUS, 'guides/setup.md'), { metadata: { team: 'ops' } });
    assert.ok(doc);
    assert.equal(doc.metadata.type, 'markdown');
    assert.equal(doc.metadata.format, 'markdown');
    assert.equal(doc.metadata.title, 'Setting up the collector');
    assert.deepEqual(doc.metadata.tags, ['setup', 'install']);
    assert.equal(doc.metadata.version, 3);
    assert.equal(doc.metadata.team, 'ops');
    assert.ok(doc.text.startsWith('# Installation\n'));
    assert.match(doc.text, /^## Configuration$/m);
    assert.ok(!doc.text.includes('tags:'), 'front matter is not part of the text');
  });

  test('Markdown without front matter is titled by its first heading, not by a comment in code', async () => {
    const [doc] = await loadString('```sh\n# not a heading\n```\n\n## Real title\n\nBody.', { type: 'markdown', id: 'md' });
    assert.equal(doc?.metadata.title, 'Real title');
  });
});

describe('HTML', () => {
  test('keeps the article and its headings, drops navigation, sidebar, footer and scripts', async () => {
    const [doc] = await loadFile(join(CORPUS, 'article.html'));
    assert.ok(doc);
    assert.equal(doc.metadata.title, 'Tidal Power Explained');
    assert.equal(doc.metadata.format, 'markdown');
    assert.match(doc.text, /^# Tidal Power Explained$/m);
    assert.match(doc.text, /^## Tidal stream generators$/m);
    assert.match(doc.text, /^## Tidal barrages$/m);
    assert.match(doc.text, /^- Seawater is about 800 times denser than air\.$/m);
    assert.match(doc.text, /La Rance station in France has operated this way since 1966\./);
    for (const boilerplate of ['Subscribe now', 'Sponsored', 'Trending', 'Copyright', 'analytics', 'inline tracking', 'font-family']) {
      assert.ok(!doc.text.includes(boilerplate), `boilerplate leaked: ${boilerplate}`);
    }
  });

  test('a page whose only text is boilerplate is an empty document', async () => {
    const html = '<html><body><nav>Home | About</nav><footer>Copyright</footer><script>x()</script></body></html>';
    await assert.rejects(loadBuffer(Buffer.from(html), { filename: 'nav.html' }), isConduitError('invalid_request', 'empty_document'));
  });
});

describe('PDF', () => {
  test('extracts the text layer page by page with page offsets and the PDF title', async () => {
    const bytes = await makePdf(
      [
        ['Quarterly report', 'Revenue grew by twelve percent.'],
        ['Outlook', 'Hiring continues in the second half.'],
      ],
      'Q3 Report',
    );
    const [doc] = await loadBuffer(bytes, { filename: 'q3.pdf' });
    assert.ok(doc);
    assert.equal(doc.id, 'q3.pdf');
    assert.equal(doc.metadata.type, 'pdf');
    assert.equal(doc.metadata.title, 'Q3 Report');
    assert.equal(doc.metadata.pages, 2);
    assert.match(doc.text, /Revenue grew by twelve percent\./);
    const offsets = doc.metadata.pageOffsets;
    assert.ok(Array.isArray(offsets) && offsets.length === 2);
    const second = Number(offsets[1]);
    assert.ok(doc.text.slice(0, second).includes('Revenue grew'));
    assert.ok(doc.text.slice(second).startsWith('Outlook'));
  });

  test('a PDF without text is empty; garbage is an invalid PDF', async () => {
    const blank = await PDFDocument.create();
    blank.addPage();
    await assert.rejects(loadBuffer(await blank.save(), { mimeType: 'application/pdf', id: 'blank' }), isConduitError('invalid_request', 'empty_document'));
    await assert.rejects(loadBuffer(Buffer.from('not a pdf at all'), { filename: 'fake.pdf' }), isConduitError('invalid_request', 'invalid_pdf'));
  });
});

describe('JSON, JSONL and CSV', () => {
  test('JSONL: one document per line, configured text fields, other fields flattened into metadata', async () => {
    const docs = await loadFile(join(CORPUS, 'faq.jsonl'), { json: { textFields: ['question', 'answer'] } });
    assert.deepEqual(docs.map((d) => d.id), ['faq.jsonl:q1', 'faq.jsonl:q2']);
    assert.equal(docs[0]?.text, 'How do I reset my password?\n\nUse the Forgot password link on the sign-in page.');
    assert.equal(docs[0]?.metadata.lang, 'en');
    assert.equal(docs[0]?.metadata['meta.views'], 120);
    assert.equal(docs[0]?.metadata.question, undefined, 'text fields are not duplicated into metadata');
    assert.equal(docs[1]?.metadata.record, '3');
  });

  test('JSON: an array gives one document per element, the default text field is found, bad JSON is refused', async () => {
    const json = JSON.stringify([{ content: 'First entry.', author: 'ann' }, { content: 'Second entry.', author: 'bob' }]);
    const docs = await loadBuffer(Buffer.from(json), { filename: 'entries.json' });
    assert.deepEqual(docs.map((d) => [d.id, d.text, d.metadata.author]), [
      ['entries.json:0', 'First entry.', 'ann'],
      ['entries.json:1', 'Second entry.', 'bob'],
    ]);
    await assert.rejects(loadString('{"text": ', { type: 'json', id: 'bad' }), isConduitError('invalid_request', 'invalid_json'));
    await assert.rejects(loadString('{"text": "ok"}\n{oops', { type: 'jsonl', id: 'bad' }), (err: unknown) => err instanceof ConduitError && err.code === 'invalid_json' && /Line 2/.test(err.message));
    await assert.rejects(loadString('[{"title": "no text"}]', { type: 'json', id: 'x', json: { textFields: ['body'] } }), isConduitError('invalid_request', 'empty_document'));
  });

  test('CSV rows: text columns, id column, other columns as typed metadata', async () => {
    const docs = await loadFile(join(CORPUS, 'products.csv'), { csv: { textColumns: ['name', 'description'], idColumn: 'sku' } });
    assert.deepEqual(docs.map((d) => d.id), ['products.csv:A-1', 'products.csv:B-2']);
    assert.equal(docs[0]?.text, 'Kettle\n\nBoils water in two minutes, with an automatic shut-off.');
    assert.equal(docs[0]?.metadata.price, 24.5);
    assert.equal(docs[1]?.metadata.price, 39);
    assert.equal(docs[0]?.metadata.row, 1);
    await assert.rejects(loadFile(join(CORPUS, 'products.csv'), { csv: { textColumns: ['nope'] } }), isConduitError('invalid_request', 'unknown_column'));
  });

  test('CSV file mode: the whole table is one document; TSV picks the tab delimiter', async () => {
    const [doc] = await loadFile(join(CORPUS, 'products.csv'), { csv: { mode: 'file' } });
    assert.equal(doc?.id, 'products.csv');
    assert.match(doc?.text ?? '', /^sku: A-1\nname: Kettle\n/);
    assert.equal(doc?.metadata.rows, 2);
    const tsv = await loadBuffer(Buffer.from('word\tmeaning\nhygge\tcosiness\n'), { filename: 'words.tsv', csv: { textColumns: ['meaning'], idColumn: 'word' } });
    assert.deepEqual(tsv.map((d) => [d.id, d.text]), [['words.tsv:hygge', 'cosiness']]);
  });
});

describe('sources, ids and errors', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conduit-loaders-'));
    await cp(CORPUS, dir, { recursive: true });
    await mkdir(join(dir, 'node_modules/pkg'), { recursive: true });
    await writeFile(join(dir, 'node_modules/pkg/readme.md'), '# dependency docs');
    await mkdir(join(dir, '.git'), { recursive: true });
    await writeFile(join(dir, '.git/notes.md'), '# hidden');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a directory: supported files only, ids are relative paths, empty files reported through onSkip', async () => {
    const skipped: string[] = [];
    const docs = await loadDirectory(dir, { onSkip: (path, err) => skipped.push(`${path}:${(err as ConduitError).code}`) });
    const ids = docs.map((d) => d.id);
    assert.deepEqual(ids, ['article.html', 'faq.jsonl:q1', 'faq.jsonl:q2', 'guides/setup.md', 'notes.txt', 'products.csv:1', 'products.csv:2']);
    assert.deepEqual(skipped, ['empty.txt:empty_document']);
  });

  test('a directory without onSkip fails on an empty file; glob patterns and ignores narrow the load', async () => {
    await assert.rejects(loadDirectory(dir), isConduitError('invalid_request', 'empty_document'));
    const md = await loadDirectory(dir, { patterns: ['**/*.md', '*.txt'], ignore: ['empty.txt'] });
    assert.deepEqual(md.map((d) => d.id), ['guides/setup.md', 'notes.txt']);
    // An explicit pattern that matches an unsupported file is refused by type.
    await assert.rejects(loadDirectory(dir, { patterns: ['*.pptx'] }), isConduitError('invalid_request', 'unsupported_file_type'));
  });

  test('ids are stable: loading the same file twice, alone or through its folder, gives the same id', async () => {
    const alone = await loadPath(join(dir, 'notes.txt'));
    const again = await loadSource(join(dir, 'notes.txt'));
    const viaFolder = (await loadSource({ path: dir, options: { patterns: ['notes.txt'] } }))[0];
    assert.equal(alone[0]?.id, 'notes.txt');
    assert.equal(again[0]?.id, 'notes.txt');
    assert.equal(viaFolder?.id, 'notes.txt');
    const [a] = await loadString('same text');
    const [b] = await loadSource({ text: 'same text' });
    assert.equal(a?.id, b?.id);
    assert.match(a?.id ?? '', /^text-[0-9a-f]{16}$/);
    const [given] = await loadString('x', { id: 'my-doc', metadata: { lang: 'en' } });
    assert.deepEqual([given?.id, given?.metadata.source, given?.metadata.lang], ['my-doc', 'string', 'en']);
  });

  test('uploads: MIME type wins over a generic name, octet-stream falls back to the extension', async () => {
    const [md] = await loadBuffer(Buffer.from('# Title\n\nBody'), { filename: 'upload.bin', mimeType: 'text/markdown; charset=utf-8' });
    assert.equal(md?.metadata.type, 'markdown');
    const [txt] = await loadBuffer(Buffer.from('hello'), { filename: 'hello.txt', mimeType: 'application/octet-stream' });
    assert.equal(txt?.metadata.type, 'text');
    assert.equal(txt?.id, 'hello.txt');
  });

  test('unsupported type, empty text, a missing path and a bad id are typed errors', async () => {
    await assert.rejects(loadFile(join(dir, 'slides.pptx')), isConduitError('invalid_request', 'unsupported_file_type'));
    await assert.rejects(loadBuffer(Buffer.from('x'), { filename: 'a.docx', mimeType: 'application/vnd.ms-word' }), isConduitError('invalid_request', 'unsupported_file_type'));
    await assert.rejects(loadBuffer(Buffer.from('x')), isConduitError('invalid_request', 'unsupported_file_type'));
    await assert.rejects(loadFile(join(dir, 'empty.txt')), isConduitError('invalid_request', 'empty_document'));
    await assert.rejects(loadString('   \n\n  '), isConduitError('invalid_request', 'empty_document'));
    await assert.rejects(loadPath(join(dir, 'missing.md')), isConduitError('not_found', 'source_not_found'));
    await assert.rejects(loadString('x', { id: 'a#b' }), isConduitError('invalid_request', 'invalid_document_id'));
    assert.ok((await readFile(join(dir, 'empty.txt'))).byteLength === 0);
  });
});

test('JSON records without a text field fall back to their string fields as labelled lines', async () => {
  const [doc] = await loadString('{"id": 7, "question": "Why?", "answer": "Because.", "votes": 3}', { type: 'json', id: 'qa' });
  assert.equal(doc?.id, 'qa');
  assert.equal(doc?.text, 'question: Why?\nanswer: Because.');
  assert.equal(doc?.metadata.votes, 3);
});
