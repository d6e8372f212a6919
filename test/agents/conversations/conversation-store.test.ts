/** The ConversationStore conformance suite, run against embedded PGlite and PostgreSQL. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { createSqlConversationStore } from '../../../src/agents/conversations/sql-conversation-store.js';
import type { ConversationStore } from '../../../src/agents/conversations/conversation-store.js';
import { databaseFactories } from '../../support/databases.js';

for (const factory of databaseFactories) {
  describe(`ConversationStore (${factory.name})`, () => {
    let store: ConversationStore;
    let dispose: () => Promise<void>;
    let now = 1_700_000_000_000;

    before(async () => {
      const opened = await factory.open();
      dispose = opened.dispose;
      store = await createSqlConversationStore({ db: opened.db, clock: { now: () => now++ } });
    });
    after(async () => dispose());

    test('creates a thread and reads it back', async () => {
      const created = await store.create({ system: 'Be brief.', metadata: { topic: 'x' }, owner: 'key:k1' });
      const read = await store.get(created.id);
      assert.deepEqual(read, created);
      assert.equal(read?.system, 'Be brief.');
      assert.equal(await store.get('conv_missing'), undefined);
    });

    test('a duplicate thread id is refused', async () => {
      await store.create({ id: 'fixed-id' });
      await assert.rejects(store.create({ id: 'fixed-id' }), (e: unknown) => e instanceof ConduitError && e.code === 'conversation_exists');
    });

    test('appends in order with consecutive seq numbers and lists them', async () => {
      const c = await store.create();
      const a = await store.append(c.id, { role: 'user', content: 'one' });
      const b = await store.append(c.id, { role: 'assistant', content: 'two', metadata: { model: 'm' } });
      const d = await store.append(c.id, { role: 'user', content: 'three' });
      assert.deepEqual([a.seq, b.seq, d.seq], [0, 1, 2]);
      const all = await store.listMessages(c.id);
      assert.deepEqual(all.map((m) => m.content), ['one', 'two', 'three']);
      assert.deepEqual(all[1]!.metadata, { model: 'm' });
      assert.deepEqual((await store.listMessages(c.id, { afterSeq: 0, limit: 1 })).map((m) => m.content), ['two']);
      assert.deepEqual((await store.listMessages(c.id, { limit: 2 })).map((m) => m.seq), [0, 1]);
    });

    test('append is idempotent by message id', async () => {
      const c = await store.create();
      const first = await store.append(c.id, { id: 'm-1', role: 'user', content: 'hello' });
      const again = await store.append(c.id, { id: 'm-1', role: 'user', content: 'hello' });
      assert.deepEqual(again, first);
      assert.equal((await store.listMessages(c.id)).length, 1);
      assert.deepEqual(await store.getMessage(c.id, 'm-1'), first);
    });

    test('reusing a message id for different content is a conflict and changes nothing', async () => {
      const c = await store.create();
      await store.append(c.id, { id: 'm-2', role: 'user', content: 'hello' });
      await assert.rejects(store.append(c.id, { id: 'm-2', role: 'user', content: 'other' }), (e: unknown) => e instanceof ConduitError && e.code === 'message_id_conflict');
      const other = await store.create();
      await assert.rejects(store.append(other.id, { id: 'm-2', role: 'user', content: 'hello' }), (e: unknown) => e instanceof ConduitError && e.code === 'message_id_conflict');
      assert.equal((await store.listMessages(other.id)).length, 0);
      assert.equal(await store.getMessage(other.id, 'm-2'), undefined);
    });

    test('appending to an unknown thread is not_found; bad ids and roles are invalid', async () => {
      await assert.rejects(store.append('nope', { role: 'user', content: 'x' }), (e: unknown) => e instanceof ConduitError && e.kind === 'not_found');
      const c = await store.create();
      await assert.rejects(store.append(c.id, { id: 'bad id with spaces', role: 'user', content: 'x' }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_id');
      await assert.rejects(store.append(c.id, { role: 'wizard' as 'user', content: 'x' }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_role');
      assert.equal((await store.listMessages(c.id)).length, 0);
    });

    test('concurrent appends get distinct consecutive seq numbers', async () => {
      const c = await store.create();
      const appended = await Promise.all(Array.from({ length: 12 }, (_, i) => store.append(c.id, { role: 'user', content: `m${i}` })));
      assert.deepEqual(appended.map((m) => m.seq).sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => i));
      assert.equal((await store.listMessages(c.id)).length, 12);
    });

    test('erase wipes contents, system, metadata and the summary, keeping ids and order as tombstones', async () => {
      const c = await store.create({ system: 'secret system', metadata: { email: 'ada@example.com' } });
      await store.append(c.id, { id: 'e-1', role: 'user', content: 'my card is 4111' });
      await store.append(c.id, { role: 'assistant', content: 'noted', metadata: { model: 'm' } });
      await store.putSummary(c.id, { upTo: 2, text: 'card 4111' });
      assert.deepEqual(await store.erase(c.id), { messages: 2 });
      const messages = await store.listMessages(c.id);
      assert.deepEqual(messages.map((m) => [m.seq, m.role, m.content, m.metadata]), [[0, 'user', '', {}], [1, 'assistant', '', {}]]);
      assert.ok(messages.every((m) => typeof m.erasedAt === 'number'));
      const thread = await store.get(c.id);
      assert.equal(thread?.system, undefined);
      assert.deepEqual(thread?.metadata, {});
      assert.equal(await store.getSummary(c.id), undefined);
      // Still append-only: the thread continues after the tombstones.
      assert.equal((await store.append(c.id, { role: 'user', content: 'again' })).seq, 2);
      assert.deepEqual(await store.erase(c.id), { messages: 1 });
      await assert.rejects(store.erase('nope'), (e: unknown) => e instanceof ConduitError && e.kind === 'not_found');
    });

    test('the summary cache keeps the summary covering the most messages', async () => {
      const c = await store.create();
      assert.equal(await store.getSummary(c.id), undefined);
      await store.putSummary(c.id, { upTo: 4, text: 'four' });
      await store.putSummary(c.id, { upTo: 2, text: 'two' });
      assert.deepEqual(await store.getSummary(c.id), { upTo: 4, text: 'four' });
      await store.putSummary(c.id, { upTo: 6, text: 'six' });
      assert.deepEqual(await store.getSummary(c.id), { upTo: 6, text: 'six' });
    });
  });
}

describe('replyIdFor', () => {
  test('derives a valid, distinct reply id even from maximum-length message ids', async () => {
    const { replyIdFor } = await import('../../../src/agents/conversations/conversation-turn.js');
    const { CONVERSATION_ID_PATTERN } = await import('../../../src/agents/conversations/conversation-store.js');
    assert.equal(replyIdFor('m-1'), 'm-1.reply');
    const a = `a${'x'.repeat(127)}`;
    const b = `b${'x'.repeat(127)}`;
    assert.notEqual(replyIdFor(a), replyIdFor(b));
    assert.ok(CONVERSATION_ID_PATTERN.test(replyIdFor(a)));
  });
});
