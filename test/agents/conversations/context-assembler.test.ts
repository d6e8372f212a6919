import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { contentText, type Message } from '../../../src/core/messages.js';
import { countMessageTokens, tokenizerFor } from '../../../src/models/tokenizer/index.js';
import { assembleContext } from '../../../src/agents/conversations/context-assembler.js';
import type { CachedSummary, SummaryCache } from '../../../src/agents/conversations/conversation-store.js';
import { createModelSummariser } from '../../../src/agents/conversations/history-summariser.js';
import { reply, ScriptedModel } from '../../support/scripted-model.js';

const MODEL = { provider: 'openai', modelId: 'gpt-4o' };
const count = (messages: Message[]) => countMessageTokens(MODEL.provider, MODEL.modelId, messages);

function longHistory(turns: number): Message[] {
  const out: Message[] = [{ role: 'user', content: 'My name is Ada Lovelace. I work on analytical engines and like precise answers.' }, { role: 'assistant', content: 'Nice to meet you, Ada.' }];
  for (let i = 0; i < turns; i++) {
    out.push({ role: 'user', content: `Question ${i}: tell me about topic number ${i} in a few sentences, with some detail about its history and uses.` });
    out.push({ role: 'assistant', content: `Topic ${i} is an interesting subject. It has a long history and many practical uses in engineering and science. `.repeat(2) });
  }
  return out;
}

function memoryCache(): SummaryCache & { data: Map<string, CachedSummary> } {
  const data = new Map<string, CachedSummary>();
  return {
    data,
    getSummary: async (id) => data.get(id),
    putSummary: async (id, s) => {
      const old = data.get(id);
      if (old === undefined || old.upTo < s.upTo) data.set(id, s);
    },
  };
}

describe('assembleContext', () => {
  test('everything fits: all layers in full, system sections first, history in order, the query last, tokens counted exactly', async () => {
    const history: Message[] = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }];
    const ctx = await assembleContext(
      { system: 'You are helpful.', userProfile: 'Prefers metric units.', task: 'Plan a trip.', knowledge: ['Paris is in France.'], history, query: 'How far is Lyon?' },
      { model: MODEL, maxTokens: 4000 },
    );
    assert.equal(ctx.messages.length, 4);
    const system = contentText(ctx.messages[0]!.content as string);
    for (const part of ['You are helpful.', 'Prefers metric units.', 'Plan a trip.', 'Paris is in France.']) assert.ok(system.includes(part), part);
    assert.deepEqual(ctx.messages.slice(1, 3), history);
    assert.deepEqual(ctx.messages[3], { role: 'user', content: 'How far is Lyon?' });
    assert.equal(ctx.tokens, count(ctx.messages));
    assert.ok(ctx.layers.every((l) => l.outcome === 'full'));
    assert.equal(ctx.tokenizer, 'o200k_base');
  });

  test('required layers that do not fit raise context_length rather than cutting the query', async () => {
    const query = 'word '.repeat(500);
    await assert.rejects(
      assembleContext({ system: 'sys', query, history: longHistory(2) }, { model: MODEL, maxTokens: 300 }),
      (e: unknown) => e instanceof ConduitError && e.kind === 'context_length' && e.code === 'context_required_layers_exceed_budget',
    );
    await assert.rejects(assembleContext({ query: 'hi' }, { model: MODEL, maxTokens: 2000, reserveTokens: 1999 }), (e: unknown) => e instanceof ConduitError && e.kind === 'context_length');
  });

  test('the lowest-priority layer gives way first: knowledge loses its last passages while history stays whole', async () => {
    const history: Message[] = [{ role: 'user', content: 'My name is Ada.' }, { role: 'assistant', content: 'Hello Ada.' }];
    const knowledge = ['Most relevant passage about engines.', `Less relevant: ${'filler '.repeat(60)}`, `Least relevant: ${'filler '.repeat(60)}`];
    const base = await assembleContext({ system: 'S', history, knowledge: knowledge.slice(0, 1), query: 'What is my name?' }, { model: MODEL, maxTokens: 10_000 });
    const ctx = await assembleContext({ system: 'S', history, knowledge, query: 'What is my name?' }, { model: MODEL, maxTokens: base.tokens + 20 });
    const layer = (n: string) => ctx.layers.find((l) => l.name === n)!;
    assert.equal(layer('knowledge').outcome, 'trimmed');
    assert.equal(layer('history').outcome, 'full');
    const system = contentText(ctx.messages[0]!.content as string);
    assert.ok(system.includes('Most relevant passage'));
    assert.ok(!system.includes('Least relevant'));
    assert.ok(ctx.tokens <= base.tokens + 20);
    assert.deepEqual(ctx.messages.slice(1, 3), history);
  });

  test('older history is summarised by the model, not cut; the recent turns stay verbatim; the query is intact', async () => {
    const summariserModel = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o', script: [reply('The user is Ada Lovelace, who works on analytical engines.')] });
    const history = longHistory(12);
    const fullTokens = count([...history, { role: 'user', content: 'What is my name?' }]);
    const budget = Math.floor(fullTokens / 2);
    const ctx = await assembleContext({ system: 'Be brief.', history, query: 'What is my name?' }, { model: MODEL, maxTokens: budget, summariser: createModelSummariser(summariserModel), summaryMaxTokens: 80 });
    assert.ok(ctx.tokens <= budget, `${ctx.tokens} > ${budget}`);
    assert.equal(ctx.tokens, count(ctx.messages));
    assert.equal(ctx.layers.find((l) => l.name === 'history')!.outcome, 'summarised');
    // The summariser saw the oldest turns, including the one with the name.
    assert.equal(summariserModel.callCount, 1);
    const sent = summariserModel.calls[0]!.request.messages.map((m) => contentText(m.content as string)).join('\n');
    assert.ok(sent.includes('My name is Ada Lovelace'));
    // The summary is in the context, the newest turn is verbatim, the query is last and whole.
    assert.ok(contentText(ctx.messages[0]!.content as string).includes('The user is Ada Lovelace'));
    assert.deepEqual(ctx.messages.at(-2), history.at(-1));
    assert.deepEqual(ctx.messages.at(-1), { role: 'user', content: 'What is my name?' });
    assert.ok(!ctx.messages.some((m) => m.content === history[0]!.content), 'the summarised turn is not also verbatim');
    assert.equal(ctx.summary?.fresh, true);
  });

  test('the summary is cached per thread up to a message index and reused on the next turn without calling the model', async () => {
    const summariserModel = new ScriptedModel({ provider: 'openai', modelId: 'gpt-4o', script: [reply('Ada Lovelace, analytical engines.')] });
    const cache = memoryCache();
    const history = longHistory(12);
    const budget = Math.floor(count(history) / 2);
    const options = { model: MODEL, maxTokens: budget, summariser: createModelSummariser(summariserModel), summaryMaxTokens: 60, summaryCache: { conversationId: 'c1', cache } };
    const first = await assembleContext({ history, query: 'What is my name?' }, options);
    const cached = cache.data.get('c1');
    assert.ok(cached !== undefined && cached.upTo === first.summary?.upTo && cached.upTo > 0);
    // Next turn: two more messages; the cached summary still covers the old ones and the room left fits them.
    const next = [...history, { role: 'user', content: 'What is my name?' } as Message, { role: 'assistant', content: 'Ada.' } as Message];
    const second = await assembleContext({ history: next, query: 'And my job?' }, options);
    assert.equal(summariserModel.callCount, 1, 'no second summarisation');
    assert.equal(second.summary?.fresh, false);
    assert.equal(second.summary?.upTo, cached.upTo);
    assert.ok(second.tokens <= budget);
    assert.deepEqual(second.messages.at(-2), { role: 'assistant', content: 'Ada.' });
  });

  test('without a model, the extractive fallback keeps the first sentence of older turns', async () => {
    const history = longHistory(12);
    const budget = Math.floor(count(history) / 2);
    const ctx = await assembleContext({ history, query: 'What is my name?' }, { model: MODEL, maxTokens: budget, summaryMaxTokens: 200 });
    assert.ok(ctx.tokens <= budget);
    assert.equal(ctx.layers.find((l) => l.name === 'history')!.outcome, 'summarised');
    assert.ok(ctx.summary?.text.includes('user: My name is Ada Lovelace.'), ctx.summary?.text);
    assert.ok(!ctx.summary?.text.includes('I work on analytical engines'), 'only the first sentence');
  });

  test('the profile outranks history: history is summarised before the profile is trimmed; then the profile is cut at its end', async () => {
    const profile = `The user is a senior engineer. ${'They like detail. '.repeat(40)}`;
    const history = longHistory(6);
    const tight = await assembleContext({ userProfile: profile, history, query: 'q' }, { model: MODEL, maxTokens: count([{ role: 'system', content: `User profile:\n${profile}` }]) + 120, summaryMaxTokens: 40 });
    const layer = (n: string) => tight.layers.find((l) => l.name === n)!;
    assert.equal(layer('user_profile').outcome, 'full');
    assert.ok(['summarised', 'dropped'].includes(layer('history').outcome));
    const tighter = await assembleContext({ userProfile: profile, history, query: 'q' }, { model: MODEL, maxTokens: 120, summaryMaxTokens: 40 });
    const trimmed = tighter.layers.find((l) => l.name === 'user_profile')!;
    assert.equal(trimmed.outcome, 'trimmed');
    assert.ok(contentText(tighter.messages[0]!.content as string).includes('The user is a senior engineer.'));
    assert.ok(tighter.tokens <= 120);
    assert.deepEqual(tighter.messages.at(-1), { role: 'user', content: 'q' });
  });

  test('a layer made required is never reduced', async () => {
    const knowledge = [`Passage ${'x '.repeat(200)}`];
    await assert.rejects(
      assembleContext({ knowledge, query: 'q' }, { model: MODEL, maxTokens: 100, policies: { knowledge: { required: true } } }),
      (e: unknown) => e instanceof ConduitError && e.kind === 'context_length',
    );
    const ok = await assembleContext({ knowledge, query: 'q' }, { model: MODEL, maxTokens: 100 });
    assert.equal(ok.layers.find((l) => l.name === 'knowledge')!.outcome, 'dropped');
    assert.ok(tokenizerFor('openai', 'gpt-4o').count('q') > 0);
  });
});
