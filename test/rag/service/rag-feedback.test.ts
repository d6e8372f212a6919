/**
 * Feedback for adaptive strategy selection through the service's interfaces: `POST /v1/rag/feedback`
 * (validated, 4xx on bad input with nothing recorded) and `conduit rag feedback`. Scores persist
 * beside the collections, so a re-opened service — a restarted `conduit serve`, the next CLI run —
 * selects the better-scored strategy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEmbeddingModel, loadDefaultEmbeddingModel } from '../../../src/models/embeddings/index.js';
import { createOfflineModel } from '../../../src/models/providers/offline/index.js';
import { createMemoryCollectionStore } from '../../../src/rag/index/index.js';
import { createDefaultRagEngine } from '../../../src/rag/service/default-engine.js';
import { createRagRoutes } from '../../../src/rag/service/rag-routes.js';
import { RagService } from '../../../src/rag/service/rag-service.js';
import { openJsonlFeedbackLog } from '../../../src/rag/strategies/index.js';
import type { CollectionStore } from '../../../src/rag/types.js';
import { startGateway, type Harness } from '../../gateway/harness.js';
import { runCli } from '../../support/cli.js';
import { CORPUS } from './corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'conduit-rag-feedback-service-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const QUESTION = 'How many hours per day does an adult cat spend sleeping?';

describe('POST /v1/rag/feedback', () => {
  const feedbackPath = join(dir, 'http', 'feedback.jsonl');
  // One store for both services: the collection outlives the first, as on disk.
  const store = createMemoryCollectionStore();
  const keepOpen: CollectionStore = { ...store, create: (n, o) => store.create(n, o), list: () => store.list(), get: (n) => store.get(n), drop: (n) => store.drop(n), open: (n) => store.open(n), close: async () => undefined };
  let h: Harness;

  const openService = async () =>
    new RagService({
      store: keepOpen,
      engine: createDefaultRagEngine({ embedder: createDefaultEmbeddingModel(), model: createOfflineModel(), feedback: await openJsonlFeedbackLog({ path: feedbackPath }) }),
    });
  const post = (path: string, body: unknown) => fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const adaptiveStrategy = async () => {
    const res = await post('/v1/rag/query', { query: QUESTION, collection: 'kb', strategy: 'adaptive' });
    assert.equal(res.status, 200);
    return ((await res.json()) as { strategy: string }).strategy;
  };
  const recorded = () => (existsSync(feedbackPath) ? readFileSync(feedbackPath, 'utf8').trim().split('\n').filter((l) => l !== '').length : 0);

  before(async () => {
    await loadDefaultEmbeddingModel();
    const service = await openService();
    await service.createCollection('kb');
    await service.ingest({ collection: 'kb', documents: CORPUS });
    h = await startGateway({}, {}, { appRoutes: [createRagRoutes(service)] });
  });
  after(async () => {
    await h.close();
    await store.close();
  });

  test('bad input is a 400 (405 for the wrong method) and records nothing', async () => {
    const bad: [unknown, string][] = [
      [{ query: QUESTION, strategy: 'keyword', score: 1.5 }, 'invalid_request_body'],
      [{ query: QUESTION, strategy: 'keyword', score: -1 }, 'invalid_request_body'],
      [{ query: QUESTION, strategy: 'keyword' }, 'invalid_request_body'],
      [{ query: QUESTION, strategy: 'keyword', score: 1, thumbs: 'up' }, 'invalid_request_body'],
      [{ query: QUESTION, strategy: 'keyword', thumbs: 'sideways' }, 'invalid_request_body'],
      [{ query: '', strategy: 'keyword', score: 1 }, 'invalid_request_body'],
      [{ query: QUESTION, strategy: 'keyword', score: 1, rating: 5 }, 'invalid_request_body'],
      [{ query: QUESTION, strategy: 'keyword', score: 1, comment: 'x'.repeat(2001) }, 'invalid_request_body'],
      [{ query: '   ', strategy: 'keyword', score: 1 }, 'empty_query'],
      [{ query: QUESTION, strategy: 'telepathy', score: 1 }, 'unknown_strategy'],
      [{ query: QUESTION, strategy: 'adaptive', score: 1 }, 'unknown_strategy'],
    ];
    for (const [body, code] of bad) {
      const res = await post('/v1/rag/feedback', body);
      const error = (await res.json()) as { error: { code: string } };
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(error.error.code, code, JSON.stringify(body));
    }
    const get = await fetch(`${h.url}/v1/rag/feedback`);
    assert.equal(get.status, 405);
    assert.equal(recorded(), 0);
  });

  test('scores steer adaptive selection, and a re-opened service remembers them', async () => {
    assert.equal(await adaptiveStrategy(), 'adaptive:hybrid');
    for (let i = 0; i < 3; i++) {
      const up = await post('/v1/rag/feedback', { query: `${QUESTION} ${i}`, strategy: 'adaptive:keyword', thumbs: 'up', comment: 'right document first' });
      assert.equal(up.status, 201);
      const body = (await up.json()) as Record<string, unknown>;
      assert.equal(body.object, 'rag.feedback');
      assert.equal(body.strategy, 'keyword');
      assert.equal(body.score, 1);
      assert.equal(body.query_type, 'factual');
      assert.equal((await post('/v1/rag/feedback', { query: `${QUESTION} ${i}`, strategy: 'hybrid', score: 0.25 })).status, 201);
    }
    assert.equal(recorded(), 6);
    assert.equal(await adaptiveStrategy(), 'adaptive:keyword');

    // A restart: a new service and gateway over the same feedback file.
    await h.close();
    h = await startGateway({}, {}, { appRoutes: [createRagRoutes(await openService())] });
    assert.equal(await adaptiveStrategy(), 'adaptive:keyword');
  });
});

describe('conduit rag feedback', () => {
  const cwd = join(dir, 'cli');

  const run = (argv: string[]) => runCli(argv, { cwd });
  const askStrategy = async () => {
    const r = await run(['rag', 'ask', QUESTION, '--collection', 'kb', '--strategy', 'adaptive', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { strategy: string }).strategy;
  };

  before(() => {
    mkdirSync(join(cwd, 'docs'), { recursive: true });
    for (const d of CORPUS) writeFileSync(join(cwd, 'docs', d.id), d.text);
  });

  test('each run re-opens the service; later asks use the better-scored strategy', async () => {
    assert.equal((await run(['rag', 'ingest', 'docs', '--collection', 'kb'])).code, 0);
    assert.equal(await askStrategy(), 'adaptive:hybrid');
    const usage = await run(['rag', 'feedback', QUESTION, '--strategy', 'keyword']);
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /exactly one of --score/);
    const range = await run(['rag', 'feedback', QUESTION, '--strategy', 'keyword', '--score', '2']);
    assert.equal(range.code, 2);
    assert.ok(!existsSync(join(cwd, '.conduit', 'rag', 'feedback.jsonl')));
    for (let i = 0; i < 3; i++) {
      const good = await run(['rag', 'feedback', `${QUESTION} ${i}`, '--strategy', 'keyword', '--score', '0.9', '--comment', 'spot on']);
      assert.equal(good.code, 0, good.stderr);
      assert.match(good.stdout, /^Recorded score 0\.9 for keyword on a factual question\n$/);
      assert.equal((await run(['rag', 'feedback', `${QUESTION} ${i}`, '--strategy', 'hybrid', '--thumbs', 'down'])).code, 0);
    }
    assert.ok(existsSync(join(cwd, '.conduit', 'rag', 'feedback.jsonl')));
    assert.equal(await askStrategy(), 'adaptive:keyword');
  });
});
