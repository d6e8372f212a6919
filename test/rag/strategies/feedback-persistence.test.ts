/**
 * The adaptive selector's feedback log, persisted: the JSONL file beside embedded collections and
 * the SQL table beside PostgreSQL ones (conformance on embedded PGlite and a PostgreSQL server).
 * Scores recorded by one log are seen by a log reopened later, and selection follows them.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConduitError } from '../../../src/core/errors.js';
import {
  extractQueryFeatures,
  openJsonlFeedbackLog,
  openSqlFeedbackLog,
  recordQueryFeedback,
  selectStrategy,
  type FeedbackLog,
} from '../../../src/rag/strategies/index.js';
import { databaseFactories } from '../../support/databases.js';

const QUESTION = 'How many hours does a cat sleep?';

/** Three strong scores for keyword and three weak ones for hybrid (the rule's choice for factual questions). */
async function recordPreference(log: FeedbackLog): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await recordQueryFeedback(log, { query: `${QUESTION} (${i})`, strategy: 'adaptive:keyword', score: 0.9 });
    await recordQueryFeedback(log, { query: `${QUESTION} (${i})`, strategy: 'hybrid', score: 0.2, comment: 'wrong document' });
  }
}

async function assertPrefersKeyword(log: FeedbackLog): Promise<void> {
  const performance = await log.performance('factual');
  assert.deepEqual(
    performance.map((p) => [p.strategy, p.count, Number(p.meanScore.toFixed(3))]).sort(),
    [
      ['hybrid', 3, 0.2],
      ['keyword', 3, 0.9],
    ],
  );
  const selection = await selectStrategy(extractQueryFeatures(QUESTION), { feedback: log });
  assert.equal(selection.strategy, 'keyword');
  assert.equal(selection.source, 'feedback');
}

describe('JSONL feedback log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-rag-feedback-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('entries survive a reopen and steer selection', async () => {
    const path = join(dir, 'a', 'feedback.jsonl');
    const log = await openJsonlFeedbackLog({ path });
    assert.equal((await selectStrategy(extractQueryFeatures(QUESTION), { feedback: log })).strategy, 'hybrid');
    await recordPreference(log);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 6);
    const reopened = await openJsonlFeedbackLog({ path });
    await assertPrefersKeyword(reopened);
    const entries = await reopened.entries();
    assert.equal(entries.length, 6);
    assert.equal(entries[1]?.comment, 'wrong document');
    assert.equal(entries[0]?.queryType, 'factual');
  });

  test('a torn or foreign line is skipped; a bad score is refused and writes nothing', async () => {
    const path = join(dir, 'b.jsonl');
    const log = await openJsonlFeedbackLog({ path });
    await log.record({ query: 'q one', queryType: 'factual', strategy: 'vector', score: 0.5 });
    appendFileSync(path, '{"query":"half a li');
    appendFileSync(path, '\n{"query":"x","queryType":"nonsense","strategy":"vector","score":1,"at":"2026-01-01T00:00:00Z"}\n');
    const before = readFileSync(path, 'utf8');
    await assert.rejects(log.record({ query: 'q', queryType: 'factual', strategy: 'vector', score: 1.5 }), (err: unknown) => err instanceof ConduitError && err.code === 'invalid_feedback');
    assert.equal(readFileSync(path, 'utf8'), before);
    const reopened = await openJsonlFeedbackLog({ path });
    assert.deepEqual((await reopened.entries()).map((e) => e.query), ['q one']);
    await reopened.record({ query: 'q two', queryType: 'factual', strategy: 'vector', score: 1 });
    assert.deepEqual((await (await openJsonlFeedbackLog({ path })).entries()).map((e) => e.query), ['q one', 'q two']);
  });
});

for (const factory of databaseFactories) {
  describe(`SQL feedback log (${factory.name})`, () => {
    test('records, aggregates per query type, and survives a reopen on the same database', async () => {
      const { db, dispose } = await factory.open();
      try {
        const log = await openSqlFeedbackLog({ db });
        await recordPreference(log);
        await log.record({ query: 'Explain streams', queryType: 'conceptual', strategy: 'hierarchical', score: 1, outcome: 'user_rating' });
        // Reopening runs the migrations again (a no-op) and reads the same rows.
        const reopened = await openSqlFeedbackLog({ db });
        await assertPrefersKeyword(reopened);
        assert.deepEqual(await reopened.performance('conceptual'), [{ strategy: 'hierarchical', count: 1, meanScore: 1 }]);
        const entries = await reopened.entries();
        assert.equal(entries.length, 7);
        assert.equal(entries[6]?.outcome, 'user_rating');
        assert.equal(entries[1]?.comment, 'wrong document');
        assert.ok(!Number.isNaN(Date.parse(entries[0]?.at ?? '')));
        await assert.rejects(reopened.record({ query: 'q', queryType: 'factual', strategy: 'vector', score: -0.1 }), (err: unknown) => err instanceof ConduitError);
        assert.equal((await reopened.entries()).length, 7);
      } finally {
        await dispose();
      }
    });

    test('only the newest maxEntries rows count', async () => {
      const { db, dispose } = await factory.open();
      try {
        const log = await openSqlFeedbackLog({ db, maxEntries: 3 });
        for (const score of [0, 0, 0, 1, 1, 1]) await log.record({ query: 'q', queryType: 'factual', strategy: 'vector', score });
        assert.deepEqual(await log.performance('factual'), [{ strategy: 'vector', count: 3, meanScore: 1 }]);
        assert.equal((await log.entries()).length, 3);
      } finally {
        await dispose();
      }
    });
  });
}
