import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Usage } from '../core/usage.js';
import type { GenerateResult, LanguageModel, StreamPart } from '../models/language-model.js';
import { createPriceTable } from '../models/pricing/price-table.js';
import { wrapLanguageModel } from '../models/wrap-language-model.js';
import { costMiddleware } from './cost.js';

const usage: Usage = { inputTokens: 12_000, outputTokens: 800, cachedInputTokens: 10_000, cacheWriteTokens: 0, reasoningTokens: 0 };
// gpt-4o-mini: 2,000 × 0.15 + 10,000 × 0.075 + 800 × 0.6 = 1,530 per million → $0.00153
const MINI_COST = 0.00153;

interface Script {
  provider: string;
  modelId: string;
  result?: Partial<GenerateResult>;
  parts?: StreamPart[];
}

/** A LanguageModel that replays a script: no network, fully deterministic. */
function scripted(script: Script): LanguageModel {
  return {
    provider: script.provider,
    modelId: script.modelId,
    capabilities: { streaming: true, tools: true, jsonSchema: true, vision: false },
    async generate() {
      return { text: 'hi', toolCalls: [], finishReason: 'stop', usage, provider: script.provider, model: script.modelId, ...script.result };
    },
    async *stream() {
      for (const part of script.parts ?? []) yield part;
    },
  };
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function near(actual: number | undefined, expected: number): boolean {
  return actual !== undefined && Math.abs(actual - expected) < 1e-12;
}

describe('costMiddleware', () => {
  const prices = createPriceTable();

  test('sets costUsd on generate results from the reported provider/model', async () => {
    // The wrapped model is a router; the result says which concrete model served the call.
    const model = wrapLanguageModel(
      scripted({ provider: 'router', modelId: 'fast', result: { provider: 'openai', model: 'gpt-4o-mini-2024-07-18' } }),
      costMiddleware(prices),
    );
    const result = await model.generate({ messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(near(result.costUsd, MINI_COST), String(result.costUsd));
    assert.equal(result.text, 'hi');
  });

  test('unknown price leaves costUsd unset; local providers cost 0', async () => {
    const unknown = wrapLanguageModel(scripted({ provider: 'openai-compatible', modelId: 'mystery-70b' }), costMiddleware(prices));
    const result = await unknown.generate({ messages: [] });
    assert.equal(result.costUsd, undefined);
    assert.equal('costUsd' in result, false);
    const local = wrapLanguageModel(scripted({ provider: 'ollama', modelId: 'llama3.2' }), costMiddleware(prices));
    assert.equal((await local.generate({ messages: [] })).costUsd, 0);
  });

  test('keeps a cost an inner layer already reported', async () => {
    const model = wrapLanguageModel(scripted({ provider: 'openai', modelId: 'gpt-4o-mini', result: { costUsd: 0.5 } }), costMiddleware(prices));
    assert.equal((await model.generate({ messages: [] })).costUsd, 0.5);
  });

  test('sets costUsd on the finish part using the model the start part reports', async () => {
    const parts: StreamPart[] = [
      { type: 'start', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: 'lo' },
      { type: 'finish', finishReason: 'stop', usage: { ...usage, inputTokens: 2000, cachedInputTokens: 0, cacheWriteTokens: 1500, outputTokens: 100 }, toolCalls: [] },
    ];
    const model = wrapLanguageModel(scripted({ provider: 'router', modelId: 'smart', parts }), costMiddleware(prices));
    const out = await collect(model.stream({ messages: [] }));
    assert.deepEqual(out.slice(0, 3), parts.slice(0, 3));
    const finish = out[3];
    assert.equal(finish?.type, 'finish');
    // 500 × 3 + 1,500 × 3.75 + 100 × 15 = 8,625 per million → $0.008625
    assert.ok(finish?.type === 'finish' && near(finish.costUsd, 0.008625), JSON.stringify(finish));
  });

  test('without a start part the wrapped model prices the stream', async () => {
    const parts: StreamPart[] = [{ type: 'finish', finishReason: 'stop', usage, toolCalls: [] }];
    const model = wrapLanguageModel(scripted({ provider: 'openai', modelId: 'gpt-4o-mini', parts }), costMiddleware(prices));
    const [finish] = await collect(model.stream({ messages: [] }));
    assert.ok(finish?.type === 'finish' && near(finish.costUsd, MINI_COST));
  });

  test('overrides from config change the price used', async () => {
    const custom = createPriceTable({ 'gpt-4o-mini': { input: 1, cachedInput: 1, output: 1 } });
    const model = wrapLanguageModel(scripted({ provider: 'openai', modelId: 'gpt-4o-mini' }), costMiddleware(custom));
    // 12,000 + 800 tokens at $1/M
    assert.ok(near((await model.generate({ messages: [] })).costUsd, 0.0128));
  });

  test('stream errors pass through unchanged', async () => {
    const failing: LanguageModel = {
      ...scripted({ provider: 'openai', modelId: 'gpt-4o' }),
      async *stream() {
        yield { type: 'text-delta', delta: 'x' };
        throw new Error('cut');
      },
    };
    const model = wrapLanguageModel(failing, costMiddleware(prices));
    await assert.rejects(collect(model.stream({ messages: [] })), /cut/);
  });
});
