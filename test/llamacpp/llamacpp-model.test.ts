/**
 * The llamacpp provider end to end on a tiny GGUF that this suite writes itself (see tiny-gguf.ts):
 * real llama.cpp (node-llama-cpp's prebuilt CPU binary), real tokenizer, real sampling and grammars.
 * The model's weights are random, so the assertions are about mechanics (limits, usage, streaming,
 * grammar validity, aborts, errors), never about what the text says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConduitError } from '../../src/core/errors.js';
import type { Message } from '../../src/core/messages.js';
import type { ModelRequest, StreamPart } from '../../src/models/language-model.js';
import { createLlamaCppModel, type LlamaCppContextInfo, type LlamaCppLanguageModel } from '../../src/models/providers/llamacpp/index.js';
import { GrammarCache } from '../../src/models/providers/llamacpp/grammar.js';
import { getSharedLlama } from '../../src/models/providers/llamacpp/runtime.js';
import { writeTinyGguf } from './tiny-gguf.js';

let dir: string;
let modelPath: string;
let model: LlamaCppLanguageModel; // threads: 1, promptFormat: auto
const contexts: LlamaCppContextInfo[] = [];
const created: LlamaCppLanguageModel[] = [];

function make(options: Partial<Parameters<typeof createLlamaCppModel>[0]> = {}): LlamaCppLanguageModel {
  const m = createLlamaCppModel({ modelPath, threads: 1, ...options });
  created.push(m);
  return m;
}

const chat: Message[] = [
  { role: 'system', content: 'You are a tiny test model.' },
  { role: 'user', content: 'Say something.' },
];

function isConduitError(kind: ConduitError['kind'], pattern?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ConduitError, `expected a ConduitError, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind (message: ${err.message})`);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conduit-llamacpp-'));
  modelPath = await writeTinyGguf(join(dir, 'tiny-llama.gguf'));
  model = make({ onContextCreated: (info) => contexts.push(info) });
});

after(async () => {
  for (const m of created) await m.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('loading and settings', () => {
  test('identity, capabilities and the loaded model description', async () => {
    assert.equal(model.provider, 'llamacpp');
    assert.equal(model.modelId, 'tiny-llama.gguf');
    assert.deepEqual(model.capabilities, { streaming: true, tools: false, jsonSchema: true, vision: false });
    const info = await model.load();
    assert.equal(info.chatWrapper, 'ChatML', 'the ChatML Jinja template in the GGUF resolves to node-llama-cpp ChatML wrapper');
    assert.equal(info.trainContextSize, 256);
    assert.equal(info.contextSize, 256);
    assert.equal(info.gpu, false);
    assert.equal(info.threads, 1);
  });

  test('each request runs in its own context with the configured thread count (1 and 2)', async () => {
    const seen1: LlamaCppContextInfo[] = [];
    const seen2: LlamaCppContextInfo[] = [];
    const one = make({ threads: 1, onContextCreated: (i) => seen1.push(i) });
    const two = make({ threads: Math.min(2, cpus().length), onContextCreated: (i) => seen2.push(i) });
    const req: ModelRequest = { messages: chat, maxTokens: 3, seed: 1 };
    // Concurrent first calls share one load and still get one context each.
    const results = await Promise.all([one.generate(req), one.generate(req), two.generate(req)]);
    for (const r of results) assert.equal(r.usage.outputTokens, 3);
    assert.deepEqual(
      seen1.map((i) => i.threads),
      [1, 1],
    );
    assert.deepEqual(
      seen2.map((i) => i.threads),
      [Math.min(2, cpus().length)],
    );
    assert.equal(seen1[0]!.contextSize, 256);
  });

  test('options are validated when the model is created', () => {
    assert.throws(() => createLlamaCppModel({ modelPath, threads: 0 }), isConduitError('invalid_request', /threads/));
    assert.throws(() => createLlamaCppModel({ modelPath, threads: 1.5 }), isConduitError('invalid_request', /threads/));
    assert.throws(() => createLlamaCppModel({ modelPath, threads: cpus().length + 1 }), isConduitError('invalid_request', /threads/));
    assert.throws(
      () => createLlamaCppModel({ modelPath, threads: 1, promptFormat: 'vicuna' as 'chatml' }),
      isConduitError('invalid_request', /promptFormat/),
    );
    assert.throws(() => createLlamaCppModel({ modelPath: '', threads: 1 }), isConduitError('invalid_request', /modelPath/));
  });
});

describe('generate', () => {
  test('returns text, usage counts and finishReason length at maxTokens', async () => {
    const r = await model.generate({ messages: chat, maxTokens: 8, seed: 7 });
    assert.equal(r.provider, 'llamacpp');
    assert.equal(r.model, 'tiny-llama.gguf');
    assert.equal(r.finishReason, 'length');
    assert.ok(r.text.length > 0);
    assert.equal(r.usage.outputTokens, 8);
    assert.ok(r.usage.inputTokens > 10, `input tokens: ${r.usage.inputTokens}`);
    assert.deepEqual(r.toolCalls, []);
  });

  test('the same seed gives the same text; input tokens match the explicit ChatML template', async () => {
    const a = await model.generate({ messages: chat, maxTokens: 10, seed: 42, temperature: 1 });
    const b = await model.generate({ messages: chat, maxTokens: 10, seed: 42, temperature: 1 });
    assert.equal(a.text, b.text);
    // The GGUF's own template is ChatML, so the `auto` format (node-llama-cpp's ChatML wrapper) and
    // Conduit's ChatML template must render the same tokens, BOS included.
    const chatml = make({ promptFormat: 'chatml' });
    const c = await chatml.generate({ messages: chat, maxTokens: 4, seed: 42 });
    assert.equal(c.usage.inputTokens, a.usage.inputTokens);
    assert.equal(c.finishReason, 'length');
  });

  test('stop strings end the text before the stop string with finishReason stop', async () => {
    const greedy: ModelRequest = { messages: chat, maxTokens: 24, temperature: 0 };
    const full = await model.generate(greedy);
    assert.equal(full.text.length > 8, true, `greedy text too short: ${JSON.stringify(full.text)}`);
    const stop = full.text.slice(5, 7);
    const cut = full.text.indexOf(stop);
    const stopped = await model.generate({ ...greedy, stop: [stop] });
    assert.equal(stopped.text, full.text.slice(0, cut));
    assert.equal(stopped.finishReason, 'stop');
  });

  test('explicit formats whose markers the vocabulary lacks still generate (markers become plain text)', async () => {
    for (const promptFormat of ['llama2', 'llama3', 'mistral'] as const) {
      const r = await make({ promptFormat }).generate({ messages: chat, maxTokens: 3, seed: 3 });
      assert.equal(r.usage.outputTokens, 3, promptFormat);
      assert.ok(r.usage.inputTokens > 20, promptFormat);
    }
  });

  test('a trailing assistant message is continued (prefill) in both the auto and an explicit format', async () => {
    const prefill: Message[] = [...chat, { role: 'assistant', content: 'Well, the answer' }];
    const added: number[] = [];
    for (const m of [model, make({ promptFormat: 'chatml' })]) {
      const open = await m.generate({ messages: chat, maxTokens: 2, seed: 1 });
      const continued = await m.generate({ messages: prefill, maxTokens: 2, seed: 1 });
      assert.equal(continued.usage.outputTokens, 2);
      added.push(continued.usage.inputTokens - open.usage.inputTokens);
    }
    // Only the prefill text's tokens are added (11 with this vocabulary): the turn is not closed
    // (no <|im_end|>, no new assistant header), in either path.
    assert.deepEqual(added, [11, 11]);
  });

  test('a prompt larger than the context is a context_length error', async () => {
    const huge: Message[] = [{ role: 'user', content: 'zq '.repeat(400) }];
    await assert.rejects(model.generate({ messages: huge, maxTokens: 4 }), isConduitError('context_length', /256-token context/));
  });

  test('tools and images are rejected with invalid_request; tool_choice none ignores tools', async () => {
    const tools = [{ name: 'get_time', parameters: { type: 'object', properties: {} } }];
    await assert.rejects(model.generate({ messages: chat, tools }), isConduitError('invalid_request', /tool calling is not supported/));
    const image: Message[] = [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/a.png' }] }];
    await assert.rejects(model.generate({ messages: image }), isConduitError('invalid_request', /image/));
    const r = await model.generate({ messages: chat, tools, toolChoice: 'none', maxTokens: 2 });
    assert.equal(r.usage.outputTokens, 2);
  });
});

describe('stream', () => {
  test('text deltas concatenate to the generated text and the stream ends with finish', async () => {
    const req: ModelRequest = { messages: chat, maxTokens: 12, seed: 11, temperature: 0.9 };
    const parts = await collect(model.stream(req));
    assert.equal(parts[0]!.type, 'start');
    const last = parts[parts.length - 1]!;
    assert.equal(last.type, 'finish');
    assert.ok(last.type === 'finish');
    assert.equal(last.finishReason, 'length');
    assert.equal(last.usage.outputTokens, 12);
    assert.ok(last.usage.inputTokens > 10);
    const deltas = parts.filter((p): p is { type: 'text-delta'; delta: string } => p.type === 'text-delta');
    assert.ok(deltas.length >= 2, 'several deltas');
    const streamed = deltas.map((d) => d.delta).join('');
    const generated = await model.generate(req);
    assert.equal(streamed, generated.text);
    assert.equal(parts.filter((p) => p.type === 'finish').length, 1);
  });

  test('a consumer that stops reading frees the request; the model keeps working', async () => {
    let deltas = 0;
    for await (const part of model.stream({ messages: chat, maxTokens: 200, seed: 1 })) {
      if (part.type === 'text-delta' && ++deltas === 2) break;
    }
    const r = await model.generate({ messages: chat, maxTokens: 2, seed: 1 });
    assert.equal(r.usage.outputTokens, 2);
  });
});

describe('structured output', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 12 },
      age: { type: 'integer' },
      active: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string', maxLength: 6 }, maxItems: 3 },
      level: { anyOf: [{ const: 'low' }, { const: 'high' }] },
    },
    required: ['name', 'age', 'active', 'tags', 'level'],
    additionalProperties: false,
  };

  test('json_schema output parses and has the required keys with the right types (several seeds)', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await model.generate({
        messages: [{ role: 'user', content: 'Describe a person as JSON.' }],
        responseFormat: { type: 'json_schema', name: 'person', schema },
        maxTokens: 160,
        seed,
      });
      assert.equal(r.finishReason, 'stop', `seed ${seed}: ${r.text}`);
      const value = JSON.parse(r.text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(value).sort(), ['active', 'age', 'level', 'name', 'tags'], r.text);
      assert.equal(typeof value.name, 'string');
      assert.ok((value.name as string).length <= 12);
      assert.ok(Number.isInteger(value.age), r.text); // finite and integral (no exponent blow-up)
      assert.equal(typeof value.active, 'boolean');
      assert.ok(Array.isArray(value.tags) && value.tags.every((t) => typeof t === 'string'), r.text);
      assert.ok(value.level === 'low' || value.level === 'high', r.text);
    }
  });

  test('json mode output parses as a JSON object, streamed too', async () => {
    const req: ModelRequest = { messages: [{ role: 'user', content: 'JSON please.' }], responseFormat: { type: 'json' }, maxTokens: 160, seed: 5 };
    const r = await model.generate(req);
    assert.equal(r.finishReason, 'stop', r.text);
    const value: unknown = JSON.parse(r.text);
    assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), r.text);
    const parts = await collect(model.stream(req));
    const streamed = parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
    assert.equal(streamed, r.text);
  });

  test('schema integers cannot take an exponent, other numbers at most two exponent digits', async () => {
    const llama = await getSharedLlama(false);
    const grammar = await new GrammarCache().get(llama, {
      type: 'json_schema',
      name: 'n',
      schema: { type: 'object', properties: { i: { type: 'integer' }, f: { type: 'number' } } },
    });
    const rules = grammar!.grammar.split('\n');
    const body = (name: string): string | undefined => rules.find((r) => r.startsWith(`${name} ::=`))?.slice(name.length + 4);
    assert.equal(body('integer-number-rule'), ' "-"? ("0" | [1-9] [0-9]{0,15})');
    assert.equal(body('fractional-number-rule'), ' "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?');
  });

  test('JSON cut by maxTokens is returned as is with finishReason length', async () => {
    const r = await model.generate({
      messages: [{ role: 'user', content: 'JSON' }],
      responseFormat: { type: 'json_schema', name: 'person', schema },
      maxTokens: 4,
      seed: 1,
    });
    assert.equal(r.finishReason, 'length');
    assert.equal(r.usage.outputTokens, 4);
    assert.ok(r.text.startsWith('{'), r.text);
    assert.throws(() => JSON.parse(r.text));
  });
});

describe('cancellation and errors', () => {
  test('an already aborted signal is a cancelled error', async () => {
    await assert.rejects(model.generate({ messages: chat, maxTokens: 4 }, { signal: AbortSignal.abort() }), isConduitError('cancelled'));
  });

  test('aborting mid-stream stops generation with a cancelled error', async () => {
    const controller = new AbortController();
    let deltas = 0;
    await assert.rejects(async () => {
      for await (const part of model.stream({ messages: chat, maxTokens: 200, seed: 2 }, { signal: controller.signal })) {
        if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
      }
    }, isConduitError('cancelled'));
    assert.ok(deltas >= 3 && deltas < 200, `deltas: ${deltas}`);
  });

  test('an attempt timeout is a timeout error', async () => {
    await assert.rejects(model.generate({ messages: chat, maxTokens: 200 }, { attemptTimeoutMs: 1 }), isConduitError('timeout'));
  });

  test('a missing file is a non-retryable provider_unavailable naming the path', async () => {
    const missing = join(dir, 'nope.gguf');
    const m = make({ modelPath: missing });
    assert.equal(m.modelId, 'nope.gguf');
    await assert.rejects(m.generate({ messages: chat }), (err: unknown) => {
      isConduitError('provider_unavailable', /model file not found/)(err);
      assert.ok(err instanceof ConduitError);
      assert.ok(err.message.includes(missing));
      assert.equal(err.retryable, false);
      assert.equal(err.provider, 'llamacpp');
      assert.equal(err.model, 'nope.gguf');
      return true;
    });
    // Streams report the same error from the iterator.
    await assert.rejects(collect(m.stream({ messages: chat })), isConduitError('provider_unavailable', /model file not found/));
  });

  test('a file that is not GGUF, or a corrupt GGUF, is provider_unavailable naming the path', async () => {
    const text = join(dir, 'notes.gguf');
    await writeFile(text, 'this is not a model\n');
    await assert.rejects(make({ modelPath: text }).generate({ messages: chat }), (err: unknown) => {
      isConduitError('provider_unavailable', /not a GGUF file/)(err);
      return err instanceof ConduitError && err.message.includes(text);
    });
    const corrupt = join(dir, 'corrupt.gguf');
    await writeFile(corrupt, Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(40, 0xff)]));
    await assert.rejects(make({ modelPath: corrupt }).load(), (err: unknown) => {
      isConduitError('provider_unavailable', /cannot load GGUF model/)(err);
      return err instanceof ConduitError && err.message.includes(corrupt);
    });
  });
});
