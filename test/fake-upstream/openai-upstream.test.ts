/**
 * The fake must be indistinguishable from OpenAI for the official `openai` client, and its raw wire
 * format must match OpenAI's byte layout (role delta first, usage chunk only on request, [DONE]).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeOpenAI } from './openai-upstream.js';

interface SSEChunk {
  object: string;
  choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: unknown;
}

async function rawStream(url: string, body: Record<string, unknown>): Promise<{ status: number; contentType: string | null; events: string[] }> {
  const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true, ...body }) });
  const text = await res.text();
  const events = text.split('\n\n').filter((e) => e !== '');
  for (const e of events) assert.ok(e.startsWith('data: '), `every event is a data line: ${e}`);
  return { status: res.status, contentType: res.headers.get('content-type'), events: events.map((e) => e.slice('data: '.length)) };
}

describe('fake OpenAI upstream', () => {
  let upstream: FakeOpenAI;
  let client: OpenAI;
  before(async () => {
    upstream = await startFakeOpenAI();
    client = new OpenAI({ baseURL: upstream.url, apiKey: 'sk-fake', maxRetries: 0 });
  });
  after(() => upstream.close());

  test('the openai client reads a plain completion', async () => {
    upstream.enqueue({ kind: 'reply', text: 'Hi there', usage: { inputTokens: 4, outputTokens: 2, cachedInputTokens: 1 }, model: 'gpt-4o-mini-2024-07-18' });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices[0]!.message.content, 'Hi there');
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(r.usage?.prompt_tokens, 4);
    assert.equal(r.usage?.total_tokens, 6);
    assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 1);
    assert.deepEqual(upstream.requests.at(-1)!.body, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(upstream.requests.at(-1)!.headers.authorization, 'Bearer sk-fake');
  });

  test('the openai client streams text and parallel tool calls, with the usage chunk', async () => {
    upstream.enqueue({
      kind: 'reply',
      text: 'Checking both.',
      toolCalls: [
        { id: 'call_1', name: 'a', arguments: '{"x":"a long value to split"}' },
        { id: 'call_2', name: 'b', arguments: '{"y":[1,2,3]}' },
      ],
      usage: { inputTokens: 10, outputTokens: 20, reasoningTokens: 5 },
    });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    const args = new Map<number, string>();
    const ids = new Map<number, string>();
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      for (const tc of choice.delta.tool_calls ?? []) {
        if (tc.id) ids.set(tc.index, tc.id);
        args.set(tc.index, (args.get(tc.index) ?? '') + (tc.function?.arguments ?? ''));
      }
      finish = choice.finish_reason ?? finish;
    }
    assert.equal(text, 'Checking both.');
    assert.deepEqual([...ids.entries()], [[0, 'call_1'], [1, 'call_2']]);
    assert.equal(args.get(0), '{"x":"a long value to split"}');
    assert.equal(args.get(1), '{"y":[1,2,3]}');
    assert.equal(finish, 'tool_calls');
    assert.equal(usage?.completion_tokens, 20);
    assert.equal(usage?.completion_tokens_details?.reasoning_tokens, 5);
  });

  test('raw stream layout: role delta first, usage chunk and [DONE] last, usage only when asked', async () => {
    upstream.enqueue({ kind: 'reply', chunks: ['a', 'b'] });
    const withUsage = await rawStream(upstream.url, { stream_options: { include_usage: true } });
    assert.equal(withUsage.status, 200);
    assert.match(withUsage.contentType ?? '', /^text\/event-stream/);
    assert.equal(withUsage.events.at(-1), '[DONE]');
    const chunks = withUsage.events.slice(0, -1).map((e) => JSON.parse(e) as SSEChunk);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
    assert.deepEqual(chunks[0]!.choices[0]!.delta, { role: 'assistant', content: '', refusal: null });
    assert.deepEqual(chunks.slice(1, 3).map((c) => c.choices[0]!.delta.content), ['a', 'b']);
    assert.equal(chunks[3]!.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(chunks[3]!.choices[0]!.delta, {});
    assert.deepEqual(chunks[4]!.choices, []);
    assert.equal((chunks[4]!.usage as { total_tokens: number }).total_tokens, 8 + 2);
    assert.ok(chunks.slice(0, 4).every((c) => c.usage === null), 'usage: null on every chunk but the last');
    assert.equal(chunks.length, 5);

    upstream.enqueue({ kind: 'reply', chunks: ['a', 'b'] });
    const without = await rawStream(upstream.url, {});
    const plain = without.events.slice(0, -1).map((e) => JSON.parse(e) as SSEChunk);
    assert.equal(plain.length, 4, 'no usage chunk without include_usage');
    assert.ok(plain.every((c) => !('usage' in c)));
  });

  test('tool-call deltas carry id and name only in the first delta of each index, and interleave', async () => {
    upstream.enqueue({ kind: 'reply', toolCalls: [{ id: 'c0', name: 'f', arguments: '{"aaaa":"bbbbbbbbbbbb"}' }, { id: 'c1', name: 'g', arguments: '{"cccc":"dddddddddddd"}' }] });
    const { events } = await rawStream(upstream.url, {});
    const deltas = events
      .slice(0, -1)
      .map((e) => JSON.parse(e) as SSEChunk)
      .flatMap((c) => (c.choices[0]?.delta.tool_calls as { index: number; id?: string; function: { name?: string; arguments: string } }[] | undefined) ?? []);
    const order = deltas.map((d) => d.index);
    assert.deepEqual(order.slice(0, 4), [0, 0, 1, 1], 'start 0, fragment 0, start 1, fragment 1');
    assert.ok(order.lastIndexOf(0) > order.indexOf(1), 'index 0 continues after index 1 started');
    for (const index of [0, 1]) {
      const mine = deltas.filter((d) => d.index === index);
      assert.ok(mine[0]!.id && mine[0]!.function.name, 'the first delta has id and name');
      assert.equal(mine[0]!.function.arguments, '');
      assert.ok(mine.slice(1).every((d) => d.id === undefined && d.function.name === undefined));
    }
  });

  test('error bodies have OpenAI shape and Retry-After; the client surfaces them', async () => {
    upstream.enqueue({ kind: 'error', status: 429, message: 'Rate limit reached', code: 'rate_limit_exceeded', retryAfterSeconds: 7 });
    const res = await fetch(`${upstream.url}/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}' });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.deepEqual(await res.json(), { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } });

    upstream.enqueue({ kind: 'error', status: 401, message: 'Incorrect API key provided', code: 'invalid_api_key' });
    await assert.rejects(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => err instanceof OpenAI.AuthenticationError && err.code === 'invalid_api_key');
  });

  test('in-band error chunk, cut and reset look like the real failures', async () => {
    upstream.enqueue({ kind: 'fault', fault: { type: 'in-band-error-after-chunks', chunks: 1, message: 'upstream exploded' }, then: { kind: 'reply', chunks: ['x', 'y'] } });
    const inBand = await rawStream(upstream.url, {});
    const last = JSON.parse(inBand.events.at(-1)!) as { error: { message: string; type: string } };
    assert.equal(last.error.message, 'upstream exploded');
    assert.equal(inBand.events.includes('[DONE]'), false);

    upstream.enqueue({ kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 1 }, then: { kind: 'reply', chunks: ['x', 'y', 'z'] } });
    const cut = await fetch(`${upstream.url}/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[],"stream":true}' });
    assert.equal(cut.status, 200);
    await assert.rejects(cut.text(), 'reading a cut body fails');

    upstream.enqueue({ kind: 'fault', fault: { type: 'connection-reset' } });
    await assert.rejects(fetch(`${upstream.url}/chat/completions`, { method: 'POST', body: '{}' }));
  });

  test('a stalled stream is released by close()', async () => {
    const own = await startFakeOpenAI({ scenarios: [{ kind: 'fault', fault: { type: 'stall-after-chunks', chunks: 1 }, then: { kind: 'reply', chunks: ['x', 'y'] } }] });
    const res = await fetch(`${own.url}/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[],"stream":true}' });
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /chat\.completion\.chunk/);
    const closing = own.close();
    await assert.rejects(
      (async () => {
        for (;;) if ((await reader.read()).done) throw new Error('ended cleanly, not cut');
      })(),
    );
    await closing;
  });

  test('scenario function, models and embeddings (float and base64 through the client)', async () => {
    const own = await startFakeOpenAI({ scenarios: (req) => ({ kind: 'reply', text: `you sent ${(req.body as { messages?: unknown[] }).messages?.length ?? 0}` }), models: ['m1', 'e1-embed'] });
    try {
      const c = new OpenAI({ baseURL: own.url, apiKey: 'k', maxRetries: 0 });
      const r = await c.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] });
      assert.equal(r.choices[0]!.message.content, 'you sent 2');
      const list = await c.models.list();
      assert.deepEqual(list.data.map((m) => m.id), ['m1', 'e1-embed']);
      assert.equal((await c.models.retrieve('m1')).id, 'm1');
      const viaBase64 = await c.embeddings.create({ model: 'e1-embed', input: ['same', 'other'], dimensions: 4 });
      const viaFloat = await c.embeddings.create({ model: 'e1-embed', input: ['same'], dimensions: 4, encoding_format: 'float' });
      assert.equal(viaBase64.data.length, 2);
      assert.deepEqual(viaBase64.data[0]!.embedding, viaFloat.data[0]!.embedding);
      assert.notDeepEqual(viaBase64.data[0]!.embedding, viaBase64.data[1]!.embedding);
      const norm = Math.hypot(...viaFloat.data[0]!.embedding);
      assert.ok(Math.abs(norm - 1) < 1e-5, `unit vector, norm ${norm}`);
      assert.equal(own.requests.filter((q) => q.path === '/v1/models').length, 1);
    } finally {
      await own.close();
    }
  });

  test('default replies (the cached benchmark path) are valid and carry distinct ids', async () => {
    const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'hi' }] });
    const [a, b] = await Promise.all([0, 1].map(() => fetch(`${upstream.url}/chat/completions`, { method: 'POST', body }).then((r) => r.json() as Promise<{ id: string; model: string; choices: { message: { content: string } }[] }>)));
    assert.notEqual(a!.id, b!.id);
    assert.match(a!.id, /^chatcmpl-fake\d+$/);
    assert.equal(a!.model, 'bench-model');
    assert.equal(a!.choices[0]!.message.content, 'Hello from the fake upstream.');
    const streamed = await rawStream(upstream.url, { model: 'bench-model', stream_options: { include_usage: true } });
    const ids = new Set(streamed.events.slice(0, -1).map((e) => (JSON.parse(e) as { id: string }).id));
    assert.equal(ids.size, 1, 'one id across the chunks of one stream');
    assert.ok(![a!.id, b!.id].includes([...ids][0]!));
    assert.equal(streamed.events.at(-1), '[DONE]');
  });

  test('record: false keeps no requests', async () => {
    const own = await startFakeOpenAI({ record: false });
    try {
      await fetch(`${own.url}/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}' }).then((r) => r.json());
      assert.equal(own.requests.length, 0);
    } finally {
      await own.close();
    }
  });
});
