import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { ConduitError } from '../../../core/errors.js';
import type { StreamPart } from '../../language-model.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../../../test/fake-upstream/openai-upstream.js';
import { createOpenAIModel } from './chat-model.js';

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

const record = (v: unknown): Record<string, unknown> => {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object');
  return v as Record<string, unknown>;
};

describe('createOpenAIModel over the fake OpenAI upstream', () => {
  let upstream: FakeOpenAI;
  before(async () => {
    upstream = await startFakeOpenAI();
  });
  after(() => upstream.close());

  test('sends the right path and headers; per-call headers win', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: `${upstream.url}/`, apiKey: 'sk-secret', organization: 'org-1', headers: { 'x-extra': 'a', 'x-override': 'config' } });
    assert.equal(model.provider, 'openai');
    assert.equal(model.modelId, 'gpt-4o-mini');
    const r = await model.generate({ messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-override': 'call' } });
    assert.equal(r.text, 'Hello from the fake upstream.');
    const req = upstream.requests.at(-1)!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer sk-secret');
    assert.equal(req.headers['openai-organization'], 'org-1');
    assert.equal(req.headers['x-extra'], 'a');
    assert.equal(req.headers['x-override'], 'call');
    assert.match(String(req.headers['content-type']), /application\/json/);
    assert.equal(record(req.body).model, 'gpt-4o-mini');
  });

  test('a custom provider name is reported and its providerOptions are merged', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o', baseURL: upstream.url, provider: 'azure-east' });
    const r = await model.generate({ messages: [{ role: 'user', content: 'x' }], providerOptions: { 'azure-east': { service_tier: 'priority' } } });
    assert.equal(r.provider, 'azure-east');
    assert.equal(record(upstream.requests.at(-1)!.body).service_tier, 'priority');
  });

  test('a reasoning model sends max_completion_tokens; streams ask for usage', async () => {
    const model = createOpenAIModel({ modelId: 'o3-mini', baseURL: upstream.url });
    await collect(model.stream({ messages: [{ role: 'user', content: 'x' }], maxTokens: 64, reasoningEffort: 'low' }));
    const body = record(upstream.requests.at(-1)!.body);
    assert.equal(body.max_completion_tokens, 64);
    assert.equal(body.max_tokens, undefined);
    assert.equal(body.reasoning_effort, 'low');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });

  test('logprobs come back in generate and as stream parts', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url });
    upstream.enqueue({ kind: 'reply', text: 'abcdefgh' });
    const r = await model.generate({ messages: [{ role: 'user', content: 'x' }], logprobs: true, topLogprobs: 2 });
    assert.deepEqual(r.logprobs?.map((l) => l.token), ['abcd', 'efgh']);
    assert.equal(r.logprobs?.[0]?.topLogprobs?.length, 2);
    upstream.enqueue({ kind: 'reply', chunks: ['ab', 'cd'] });
    const parts = await collect(model.stream({ messages: [{ role: 'user', content: 'x' }], logprobs: true }));
    const tokens = parts.flatMap((p) => (p.type === 'logprobs' ? p.logprobs.map((l) => l.token) : []));
    assert.deepEqual(tokens, ['ab', 'cd']);
  });

  test('a context_length_exceeded 400 maps to context_length', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url });
    upstream.enqueue({ kind: 'error', status: 400, message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', code: 'context_length_exceeded' });
    await assert.rejects(model.generate({ messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => err instanceof ConduitError && err.kind === 'context_length' && err.code === 'context_length_exceeded');
  });

  test('a deadline already in the past fails with timeout before any request', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url });
    const before = upstream.requests.length;
    await assert.rejects(model.generate({ messages: [{ role: 'user', content: 'x' }] }, { deadlineAt: Date.now() - 1 }), (err: unknown) => err instanceof ConduitError && err.kind === 'timeout');
    assert.equal(upstream.requests.length, before);
  });

  test('a malformed SSE chunk before content is a provider_error', async () => {
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: upstream.url });
    upstream.enqueue({ kind: 'fault', fault: { type: 'malformed-json' } });
    await assert.rejects(collect(model.stream({ messages: [{ role: 'user', content: 'x' }] })), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error' && /not valid JSON/.test(err.message));
  });

  test('an unreachable base URL is provider_unavailable', async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    const model = createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL: url });
    await assert.rejects(model.generate({ messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_unavailable');
  });
});

describe('stream endings from a raw server', () => {
  let server: Server;
  let url: string;
  let payload = '';
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    url = `http://127.0.0.1:${address.port}/v1`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const data = (v: unknown) => `data: ${JSON.stringify(v)}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null) => data({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: d, finish_reason: finish }] });

  test('a clean end after finish_reason but without [DONE] is accepted (usage left at zero)', async () => {
    payload = delta({ role: 'assistant', content: '' }) + delta({ content: 'complete' }) + delta({}, 'stop');
    const parts = await collect(createOpenAIModel({ modelId: 'm', baseURL: url }).stream({ messages: [{ role: 'user', content: 'x' }] }));
    const finish = parts.at(-1);
    assert.equal(finish?.type, 'finish');
    assert.equal(finish.type === 'finish' && finish.finishReason, 'stop');
    assert.equal(finish.type === 'finish' && finish.usage.inputTokens, 0);
  });

  test('a clean end without finish_reason or [DONE] after content is stream_interrupted', async () => {
    payload = delta({ role: 'assistant', content: '' }) + delta({ content: 'half' });
    const parts: StreamPart[] = [];
    await assert.rejects(
      (async () => {
        for await (const p of createOpenAIModel({ modelId: 'm', baseURL: url }).stream({ messages: [{ role: 'user', content: 'x' }] })) parts.push(p);
      })(),
      (err: unknown) => err instanceof ConduitError && err.kind === 'stream_interrupted',
    );
    assert.deepEqual(parts.filter((p) => p.type === 'text-delta'), [{ type: 'text-delta', delta: 'half' }]);
  });

  test('an empty 200 stream is a provider_error', async () => {
    payload = '';
    await assert.rejects(collect(createOpenAIModel({ modelId: 'm', baseURL: url }).stream({ messages: [{ role: 'user', content: 'x' }] })), (err: unknown) => err instanceof ConduitError && err.kind === 'provider_error');
  });
});
