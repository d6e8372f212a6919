import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamPart } from '../../language-model.js';
import { startFakeOpenAI, type FakeOpenAI } from '../../../../test/fake-upstream/openai-upstream.js';
import { createOpenAICompatibleModel } from './compatible-model.js';

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const p of stream) parts.push(p);
  return parts;
}

describe('createOpenAICompatibleModel', () => {
  let upstream: FakeOpenAI;
  before(async () => {
    upstream = await startFakeOpenAI();
  });
  after(() => upstream.close());

  test('defaults: provider name, max_tokens even for o-series-looking ids, no auth header without a key', async () => {
    const model = createOpenAICompatibleModel({ baseURL: upstream.url, modelId: 'o3-distill:7b' });
    assert.equal(model.provider, 'openai-compatible');
    assert.equal(model.capabilities.vision, false);
    const r = await model.generate({ messages: [{ role: 'user', content: 'x' }], maxTokens: 32 });
    assert.equal(r.provider, 'openai-compatible');
    const req = upstream.requests.at(-1)!;
    const body = req.body as Record<string, unknown>;
    assert.equal(body.max_tokens, 32);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(req.headers.authorization, undefined);
  });

  test('named providers, api keys, quirks and capabilities', async () => {
    const model = createOpenAICompatibleModel({
      baseURL: upstream.url,
      modelId: 'llama-3.1-8b-instant',
      provider: 'groq',
      apiKey: 'gsk-1',
      headers: { 'x-tenant': 't1' },
      quirks: { maxTokensParam: 'max_completion_tokens', streamUsage: false },
      capabilities: { vision: true },
    });
    assert.equal(model.provider, 'groq');
    assert.equal(model.capabilities.vision, true);
    const parts = await collect(model.stream({ messages: [{ role: 'user', content: 'x' }], maxTokens: 8, providerOptions: { groq: { service_tier: 'flex' }, 'openai-compatible': { top_k: 3 } } }));
    const req = upstream.requests.at(-1)!;
    const body = req.body as Record<string, unknown>;
    assert.equal(req.headers.authorization, 'Bearer gsk-1');
    assert.equal(req.headers['x-tenant'], 't1');
    assert.equal(body.max_completion_tokens, 8);
    assert.equal(body.stream_options, undefined);
    assert.equal(body.service_tier, 'flex');
    assert.equal(body.top_k, 3);
    // Without the usage chunk the server reports no usage: zeros, not an estimate.
    const finish = parts.at(-1);
    assert.ok(finish?.type === 'finish');
    assert.deepEqual(finish.usage, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test('reasoning_content deltas become reasoning-delta parts', async () => {
    const model = createOpenAICompatibleModel({ baseURL: upstream.url, modelId: 'deepseek-r1', provider: 'ollama' });
    upstream.enqueue({ kind: 'reply', reasoning: 'Let me think.', text: '42' });
    const parts = await collect(model.stream({ messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(parts.filter((p) => p.type === 'reasoning-delta').map((p) => (p.type === 'reasoning-delta' ? p.delta : '')).join(''), 'Let me think.');
    assert.equal(parts.filter((p) => p.type === 'text-delta').map((p) => (p.type === 'text-delta' ? p.delta : '')).join(''), '42');
    const start = parts[0];
    assert.ok(start?.type === 'start');
    assert.equal(start.provider, 'ollama');
  });
});
