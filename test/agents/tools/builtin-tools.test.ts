import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpGetTool } from '../../../src/agents/tools/http-get-tool.js';
import { createFileTools } from '../../../src/agents/tools/file-tools.js';
import { createRagSearchTool } from '../../../src/agents/tools/rag-search-tool.js';
import type { RetrievalRequest, RetrievedChunk, Retriever } from '../../../src/rag/types.js';

const ctx = () => ({ runId: 'r', callId: 'c', signal: new AbortController().signal });

describe('http_get tool', () => {
  let server: Server;
  let base: string;
  let otherHits = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('hello agent');
      if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
      if (req.url === '/hop') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/escape') return void res.writeHead(302, { location: `http://localhost:${port()}/ok` }).end();
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 1000);
      otherHits++;
      res.writeHead(404).end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${port()}`;
  });
  after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (): number => (server.address() as { port: number }).port;

  test('fetches from an allowed host and follows a redirect that stays on it', async () => {
    const tool = createHttpGetTool({ allowedHosts: ['127.0.0.1'] });
    const ok = await tool.execute({ url: `${base}/ok` }, ctx());
    assert.match(ok.content, /^HTTP 200 \(text\/plain\)[\s\S]*hello agent$/);
    const hop = await tool.execute({ url: `${base}/hop` }, ctx());
    assert.match(hop.content, /hello agent/);
  });

  test('refuses hosts off the list, redirects to them, and non-http schemes', async () => {
    const tool = createHttpGetTool({ allowedHosts: ['127.0.0.1'] });
    const off = await tool.execute({ url: `http://localhost:${port()}/ok` }, ctx());
    assert.equal(off.isError, true);
    assert.match(off.content, /not on the allow-list/);
    const before = otherHits;
    const escape = await tool.execute({ url: `${base}/escape` }, ctx());
    assert.equal(escape.isError, true);
    assert.match(escape.content, /Refused to follow a redirect to http:\/\/localhost/);
    assert.equal(otherHits, before);
    const file = await tool.execute({ url: 'file:///etc/passwd' }, ctx());
    assert.match(file.content, /only http and https/);
    const portBound = createHttpGetTool({ allowedHosts: ['127.0.0.1:1'] });
    assert.match((await portBound.execute({ url: `${base}/ok` }, ctx())).content, /not on the allow-list/);
  });

  test('cuts the body at maxBytes and gives up at the timeout', async () => {
    const tool = createHttpGetTool({ allowedHosts: ['127.0.0.1'], maxBytes: 100, timeoutMs: 200 });
    const big = await tool.execute({ url: `${base}/big` }, ctx());
    assert.match(big.content, /\[body truncated at 100 bytes\]$/);
    assert.equal((big.data as { truncated: boolean }).truncated, true);
    const slow = await tool.execute({ url: `${base}/slow` }, ctx());
    assert.equal(slow.isError, true);
    assert.match(slow.content, /timed out after 200 ms/);
  });
});

describe('file tools', () => {
  let dir: string;
  let outside: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-sandbox-'));
    outside = mkdtempSync(join(tmpdir(), 'agent-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test('writes and reads files inside the sandbox, creating parent directories', async () => {
    const { readFile, writeFile } = await createFileTools({ sandboxDir: join(dir, 'box') });
    const w = await writeFile.execute({ path: 'notes/today.txt', content: 'hi there' }, ctx());
    assert.equal(w.isError, undefined);
    assert.equal(readFileSync(join(dir, 'box', 'notes', 'today.txt'), 'utf8'), 'hi there');
    const r = await readFile.execute({ path: 'notes/today.txt' }, ctx());
    assert.equal(r.content, 'hi there');
  });

  test('refuses absolute paths, .., and symlinks that lead outside, for reads and writes', async () => {
    const box = join(dir, 'box2');
    const { readFile, writeFile } = await createFileTools({ sandboxDir: box });
    symlinkSync(join(outside, 'secret.txt'), join(box, 'link.txt'));
    symlinkSync(outside, join(box, 'outdir'));
    for (const path of [join(outside, 'secret.txt'), '../box/../../etc/passwd', 'a/../../x', 'link.txt', 'outdir/secret.txt', '/etc/passwd', 'a\0b']) {
      const r = await readFile.execute({ path }, ctx());
      assert.equal(r.isError, true, `read ${path}`);
      assert.doesNotMatch(r.content, /top secret/);
      const w = await writeFile.execute({ path, content: 'pwned' }, ctx());
      assert.equal(w.isError, true, `write ${path}`);
    }
    assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'top secret');
    assert.equal(existsSync(join(outside, 'x')), false);
    const newInOutdir = await writeFile.execute({ path: 'outdir/new.txt', content: 'pwned' }, ctx());
    assert.match(newInOutdir.content, /outside the sandbox/);
    assert.equal(existsSync(join(outside, 'new.txt')), false);
  });

  test('missing files and oversize content are error results', async () => {
    const { readFile, writeFile } = await createFileTools({ sandboxDir: join(dir, 'box3'), maxBytes: 10 });
    mkdirSync(join(dir, 'box3', 'sub'));
    assert.match((await readFile.execute({ path: 'nope.txt' }, ctx())).content, /No file 'nope.txt'/);
    assert.match((await writeFile.execute({ path: 'a.txt', content: 'x'.repeat(11) }, ctx())).content, /limit is 10/);
    assert.match((await writeFile.execute({ path: 'sub', content: 'x' }, ctx())).content, /is a directory/);
  });
});

describe('rag_search tool', () => {
  test('returns numbered passages from the retriever with their sources', async () => {
    const seen: RetrievalRequest[] = [];
    const retriever: Retriever = {
      name: 'fake',
      async retrieve(req) {
        seen.push(req);
        const hit: RetrievedChunk = { chunk: { id: 'd1#0', documentId: 'd1', index: 0, text: 'Refunds take 5 days.', metadata: { source: 'faq.md' } }, score: 0.91, via: 'vector' };
        return [hit];
      },
    };
    const tool = createRagSearchTool({ retriever, collection: 'support' });
    const out = await tool.execute({ query: 'refund time', top_k: 3 }, ctx());
    assert.equal(out.content, '[1] (faq.md, score 0.910)\nRefunds take 5 days.');
    assert.equal(seen[0]!.topK, 3);
    assert.equal(seen[0]!.query, 'refund time');
    assert.match(tool.description, /'support'/);
  });
});
