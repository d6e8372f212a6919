/**
 * /v1/conversations through a real gateway, with the real OpenAI provider talking to the fake
 * OpenAI upstream. The upstream answers from what it is sent, so the second turn can only know
 * the name if the first turn was in its context.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPGliteDatabase } from '../../../src/store/embedded/pglite-database.js';
import type { SqlDatabase } from '../../../src/store/sql.js';
import { createSqlConversationStore } from '../../../src/agents/conversations/sql-conversation-store.js';
import { createConversationRoutes } from '../../../src/agents/http/conversation-routes.js';
import { createOpenAIModel } from '../../../src/models/providers/openai/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import type { RecordedRequest } from '../../fake-upstream/scenario.js';
import { startGateway, type Harness } from '../../gateway/harness.js';

interface WireMessage {
  role: string;
  content: string;
}

function messagesOf(request: RecordedRequest): WireMessage[] {
  return ((request.body as { messages?: WireMessage[] }).messages ?? []).map((m) => ({ role: m.role, content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) }));
}

/** Answers the name question from the context it was sent, like a model would. */
function answer(request: RecordedRequest): string {
  const messages = messagesOf(request);
  const last = messages.at(-1)?.content ?? '';
  if (/summary/i.test(messages[0]?.content ?? '') && /Merge the new turns/.test(messages[0]?.content ?? '')) return 'The user is called Ada.';
  if (last === 'What is my name?') {
    const everything = messages.slice(0, -1).map((m) => m.content).join('\n');
    const match = /(?:My name is|called) (\w+)/.exec(everything);
    return match ? `Your name is ${match[1]}.` : 'I do not know your name.';
  }
  return `Noted: ${last}`;
}

describe('conversation routes', () => {
  let upstream: FakeOpenAI;
  let gateway: Harness;
  let db: SqlDatabase;

  before(async () => {
    upstream = await startFakeOpenAI({ scenarios: (req) => ({ kind: 'reply', text: answer(req) }) });
    db = await openPGliteDatabase();
    const store = await createSqlConversationStore({ db });
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'test' });
    gateway = await startGateway({ 'gpt-4o-mini': model }, {}, { appRoutes: [createConversationRoutes({ store })] });
  });
  after(async () => {
    await gateway.close();
    await db.close();
    await upstream.close();
  });

  const post = (path: string, body: unknown) => fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('the second turn sees the first: "My name is Ada" then "What is my name?"', async () => {
    const created = await post('/v1/conversations', { system: 'You are a helpful assistant.', metadata: { app: 'test' } });
    assert.equal(created.status, 201);
    const conversation = (await created.json()) as { id: string; system: string; metadata: unknown };
    assert.equal(conversation.system, 'You are a helpful assistant.');
    assert.deepEqual(conversation.metadata, { app: 'test' });

    const first = await post(`/v1/conversations/${conversation.id}/messages`, { content: 'My name is Ada' });
    assert.equal(first.status, 200);
    assert.equal(((await first.json()) as { content: string }).content, 'Noted: My name is Ada');

    const before = upstream.requests.length;
    const second = await post(`/v1/conversations/${conversation.id}/messages`, { content: 'What is my name?' });
    assert.equal(second.status, 200);
    const body = (await second.json()) as { role: string; content: string; conversation_id: string; model: string; context: { tokens: number } };
    assert.equal(body.role, 'assistant');
    assert.equal(body.content, 'Your name is Ada.');
    assert.equal(body.conversation_id, conversation.id);
    assert.equal(body.model, 'gpt-4o-mini');
    assert.ok(body.context.tokens > 0);

    // The model request of the second turn carried the system prompt and the whole first turn, in order.
    const sent = messagesOf(upstream.requests[before]!);
    assert.deepEqual(sent, [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'My name is Ada' },
      { role: 'assistant', content: 'Noted: My name is Ada' },
      { role: 'user', content: 'What is my name?' },
    ]);

    const thread = await fetch(`${gateway.url}/v1/conversations/${conversation.id}`);
    assert.equal(thread.status, 200);
    const threadBody = (await thread.json()) as { id: string; messages: { role: string; content: string; seq: number }[] };
    assert.equal(threadBody.id, conversation.id);
    assert.deepEqual(
      threadBody.messages.map((m) => [m.seq, m.role, m.content]),
      [
        [0, 'user', 'My name is Ada'],
        [1, 'assistant', 'Noted: My name is Ada'],
        [2, 'user', 'What is my name?'],
        [3, 'assistant', 'Your name is Ada.'],
      ],
    );
  });

  test('a fresh thread does not know the name (the answer depends on the context, not on the script)', async () => {
    const { id } = (await (await post('/v1/conversations', {})).json()) as { id: string };
    const res = await post(`/v1/conversations/${id}/messages`, { content: 'What is my name?' });
    assert.equal(((await res.json()) as { content: string }).content, 'I do not know your name.');
  });

  test('retrying a message with the same message_id returns the same reply without calling the model again', async () => {
    const { id } = (await (await post('/v1/conversations', {})).json()) as { id: string };
    const a = (await (await post(`/v1/conversations/${id}/messages`, { content: 'hello', message_id: 'client-1' })).json()) as { id: string; content: string };
    const calls = upstream.requests.length;
    const b = (await (await post(`/v1/conversations/${id}/messages`, { content: 'hello', message_id: 'client-1' })).json()) as { id: string; content: string };
    assert.equal(upstream.requests.length, calls);
    assert.equal(b.id, a.id);
    assert.equal(b.content, a.content);
    const thread = (await (await fetch(`${gateway.url}/v1/conversations/${id}`)).json()) as { messages: unknown[] };
    assert.equal(thread.messages.length, 2);
  });

  test('older turns are summarised through the model once the thread outgrows the budget, and the name survives', async () => {
    const small = await startGateway(
      { 'gpt-4o-mini': createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url, apiKey: 'test' }) },
      {},
      { appRoutes: [createConversationRoutes({ store: await createSqlConversationStore({ db }), contextTokens: 260, reserveTokens: 40, closeStore: false })] },
    );
    try {
      const { id } = (await (await fetch(`${small.url}/v1/conversations`, { method: 'POST', body: '{}' })).json()) as { id: string };
      const say = async (content: string) => {
        const res = await fetch(`${small.url}/v1/conversations/${id}/messages`, { method: 'POST', body: JSON.stringify({ content }) });
        assert.equal(res.status, 200);
        return (await res.json()) as { content: string; context: { tokens: number; budget: number; layers: { name: string; outcome: string }[] } };
      };
      await say('My name is Ada');
      for (let i = 0; i < 6; i++) await say(`Here is a long remark number ${i} about engines, gears, punched cards and the difference engine's mechanisms.`);
      const before = upstream.requests.length;
      const last = await say('What is my name?');
      assert.equal(last.content, 'Your name is Ada.');
      assert.equal(last.context.layers.find((l) => l.name === 'history')?.outcome, 'summarised');
      assert.ok(last.context.tokens <= last.context.budget);
      // The first turn is no longer verbatim in the final request: the name came through the summary.
      const sentLast = messagesOf(upstream.requests.at(-1)!);
      assert.ok(!sentLast.some((m) => m.content === 'My name is Ada'));
      assert.ok(upstream.requests.length - before >= 1);
    } finally {
      await small.close();
    }
  });

  test('erase wipes the thread\'s contents, and later turns no longer see them', async () => {
    const { id } = (await (await post('/v1/conversations', {})).json()) as { id: string };
    await post(`/v1/conversations/${id}/messages`, { content: 'My name is Ada' });
    const erased = await post(`/v1/conversations/${id}/erase`, {});
    assert.equal(erased.status, 200);
    assert.equal(((await erased.json()) as { erased_messages: number }).erased_messages, 2);
    const thread = (await (await fetch(`${gateway.url}/v1/conversations/${id}`)).json()) as { messages: { content: string; erased?: boolean }[] };
    assert.deepEqual(thread.messages.map((m) => [m.content, m.erased]), [['', true], ['', true]]);
    const res = await post(`/v1/conversations/${id}/messages`, { content: 'What is my name?' });
    assert.equal(((await res.json()) as { content: string }).content, 'I do not know your name.');
  });

  test('errors: unknown thread 404, empty content 400 (nothing appended), unknown model 404, wrong method 405', async () => {
    assert.equal((await fetch(`${gateway.url}/v1/conversations/nope`)).status, 404);
    assert.equal((await post('/v1/conversations/nope/messages', { content: 'x' })).status, 404);
    const { id } = (await (await post('/v1/conversations', {})).json()) as { id: string };
    const empty = await post(`/v1/conversations/${id}/messages`, { content: '  ' });
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as { error: { code: string } }).error.code, 'invalid_content');
    assert.equal((await post(`/v1/conversations/${id}/messages`, { content: 'hi', model: 'no-such-model' })).status, 404);
    assert.equal((await post('/v1/conversations', { metadata: 'x' })).status, 400);
    assert.equal((await fetch(`${gateway.url}/v1/conversations/${id}`, { method: 'DELETE' })).status, 405);
    const thread = (await (await fetch(`${gateway.url}/v1/conversations/${id}`)).json()) as { messages: unknown[] };
    assert.equal(thread.messages.length, 0);
  });
});
