/**
 * `conduit rag ingest|ask|eval` in-process through main(argv, io), on the default configuration:
 * embedded collections under <cwd>/.conduit/rag, the embedded embedding model, no model (offline,
 * so answers are extractive and the judged metrics are skipped).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { captureIo, runCli } from '../../support/cli.js';
import { createProgressReporter } from '../../../src/cli/commands/rag-progress.js';
import { CORPUS, QUESTIONS } from '../service/corpus.js';

const cwd = mkdtempSync(join(tmpdir(), 'conduit-rag-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const run = (argv: string[]) => runCli(argv, { cwd });

describe('conduit rag', () => {
  before(() => {
    mkdirSync(join(cwd, 'docs', 'nested'), { recursive: true });
    CORPUS.forEach((d, i) => writeFileSync(join(cwd, 'docs', i % 2 === 0 ? '' : 'nested', d.id), d.text));
    writeFileSync(join(cwd, 'docs', 'notes.xyz'), 'ignored: not a supported extension');
    const lines = QUESTIONS.map((q) => JSON.stringify({ question: q.question, relevant_document_ids: [q.documentId] }));
    writeFileSync(join(cwd, 'eval.jsonl'), `${lines.join('\n')}\n`);
  });

  test('ingest loads a folder, reports progress and a summary, and persists under .conduit/rag', async () => {
    const r = await run(['rag', 'ingest', 'docs', '--collection', 'kb']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Ingested 5 documents into 'kb': \d+ chunks \(\d+ embedded, 0 documents unchanged\) in \d+\.\d s\n$/);
    // Not a terminal: plain progress lines, ending with each phase complete.
    assert.match(r.stderr, /5\/5 documents chunked \(100%\)/);
    assert.match(r.stderr, /\d+\/\d+ chunks embedded \(100%\)/);
    assert.ok(existsSync(join(cwd, '.conduit', 'rag')));

    const again = await run(['rag', 'ingest', 'docs', '--collection', 'kb', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const summary = JSON.parse(again.stdout) as { embedded: number; unchanged: number; perDocument: { id: string }[] };
    assert.equal(summary.embedded, 0, 'nothing re-embedded on the second run');
    assert.equal(summary.unchanged, 5);
    assert.deepEqual(summary.perDocument.map((d) => d.id).sort(), ['cats.md', 'nested/bicycles.md', 'nested/volcanoes.md', 'sourdough.md', 'tides.md']);
  });

  test('ask prints the extracted answer and numbered sources from the persisted collection', async () => {
    const r = await run(['rag', 'ask', 'How many hours per day does an adult cat spend sleeping?', '--collection', 'kb', '--top-k', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Extracted from the documents/);
    assert.match(r.stdout, /twelve and sixteen hours/);
    assert.match(r.stdout, /\nSources:\n {2}\[1\] cats\.md \(cats\.md#0, score [\d.]+\): # Cat care/);
    assert.ok(!/\[4\]/.test(r.stdout), 'at most --top-k sources');
    assert.match(r.stderr, /strategy: hybrid, mode: extracted/);

    // Files in sub-folders are ids relative to the ingested folder.
    const nested = await run(['rag', 'ask', 'Why does my disc brake squeak?', '-c', 'kb']);
    assert.match(nested.stdout, /\[1\] nested\/bicycles\.md/);

    const keyword = await run(['rag', 'ask', 'What causes the ocean tides?', '-c', 'kb', '--strategy', 'keyword']);
    assert.equal(keyword.code, 0, keyword.stderr);
    assert.match(keyword.stdout, /\[1\] tides\.md/);
    assert.match(keyword.stderr, /strategy: keyword/);
  });

  test('eval prints the metrics per strategy side by side and says why the judged ones are missing', async () => {
    const r = await run(['rag', 'eval', 'eval.jsonl', '--collection', 'kb', '--k', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^4 questions \(4 with labelled documents\), k = 3$/m);
    assert.match(r.stdout, /strategy +recall@3 +precision@3 +MRR +nDCG@10 +p50 ms/);
    // Every question's document is retrieved first by every strategy on this corpus: MRR 1.
    for (const strategy of ['vector', 'keyword', 'hybrid']) assert.match(r.stdout, new RegExp(`^${strategy} +1\\.000 +0\\.333 +1\\.000 +1\\.000`, 'm'));
    assert.match(r.stdout, /note: faithfulness and answer relevance skipped: no model configured \(offline\)/);

    const chosen = await run(['rag', 'eval', 'eval.jsonl', '--collection', 'kb', '--strategies', 'keyword', '--json']);
    const report = JSON.parse(chosen.stdout) as { strategies: { strategy: string; mrr: number }[] };
    assert.deepEqual(report.strategies.map((s) => s.strategy), ['keyword']);
    assert.equal(report.strategies[0]?.mrr, 1);
  });

  test('mistakes: usage errors exit 2, unknown collections exit 1 with the reason', async () => {
    const noCollection = await run(['rag', 'ask', 'hello']);
    assert.equal(noCollection.code, 2);
    assert.match(noCollection.stderr, /needs --collection/);
    const noSub = await run(['rag', '--collection', 'kb']);
    assert.equal(noSub.code, 2);
    assert.match(noSub.stderr, /needs a subcommand: ingest, ask, eval/);
    const badK = await run(['rag', 'ask', 'x', '-c', 'kb', '--top-k', 'many']);
    assert.equal(badK.code, 2);
    const badStrategy = await run(['rag', 'eval', 'eval.jsonl', '-c', 'kb', '--strategies', 'vector,telepathy']);
    assert.equal(badStrategy.code, 2);
    assert.match(badStrategy.stderr, /unknown strategy 'telepathy'/);
    const unknown = await run(['rag', 'ask', 'hello', '--collection', 'missing']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown RAG collection 'missing'/);
    const missingPath = await run(['rag', 'ingest', 'nowhere', '--collection', 'kb']);
    assert.equal(missingPath.code, 1);
  });
});

describe('conduit serve', () => {
  test('serves /v1/rag on the collections the CLI ingested, opened on first use and closed on shutdown', async () => {
    // Runs after the suite above: 'kb' exists under <cwd>/.conduit/rag.
    const shutdown = new AbortController();
    const serve = captureIo({ cwd, env: { CONDUIT_PORT: '0', CONDUIT_LOG_LEVEL: 'silent' }, signal: shutdown.signal });
    const exit = main(['serve', '--host', '127.0.0.1'], serve.io);
    try {
      const url = await serve.listeningUrl();
      const list = (await (await fetch(`${url}/v1/rag/collections`)).json()) as { data: { name: string; documents: number }[] };
      assert.deepEqual(list.data.map((c) => [c.name, c.documents]), [['kb', 5]]);
      const res = await fetch(`${url}/v1/rag/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'What causes the ocean tides?', collection: 'kb' }) });
      const body = (await res.json()) as { answer: string; sources: { document_id: string }[] };
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.sources[0]?.document_id, 'tides.md');
      assert.match(body.answer, /gravitational pull of the Moon/);
    } finally {
      shutdown.abort();
      assert.equal(await exit, 0, serve.stderr());
    }
  });
});

describe('progress reporter', () => {
  test('a terminal gets one redrawn bar; a pipe gets throttled lines and always the last one', () => {
    let tty = '';
    const bar = createProgressReporter({ write: (s: string) => (tty += s) }, { unit: 'chunks embedded', tty: true });
    bar.update({ done: 1, total: 4 });
    bar.update({ done: 4, total: 4 });
    bar.done();
    assert.equal(tty, `\r[#######---------------------] 1/4 chunks embedded\x1b[K\r[############################] 4/4 chunks embedded\x1b[K\n`);

    let piped = '';
    let now = 0;
    const lines = createProgressReporter({ write: (s: string) => (piped += s) }, { unit: 'documents', intervalMs: 1000, now: () => now });
    lines.update({ done: 1, total: 10 });
    now = 500;
    lines.update({ done: 2, total: 10 });
    now = 1200;
    lines.update({ done: 3, total: 10 });
    now = 1300;
    lines.update({ done: 10, total: 10 });
    lines.done();
    assert.equal(piped, '1/10 documents (10%)\n3/10 documents (30%)\n10/10 documents (100%)\n');
  });
});
