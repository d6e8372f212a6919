import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConduitError } from '../../src/core/errors.js';
import { contentText } from '../../src/core/messages.js';
import { streamObject, type StreamObjectEvent } from '../../src/structured/stream-object.js';
import { StructuredOutputError } from '../../src/structured/structured-output-error.js';
import { reply, ScriptedModel, streamThenFail, toolCallReply } from '../support/scripted-model.js';

const Recipe = z.object({ title: z.string(), steps: z.array(z.string()).min(2), minutes: z.number() });
type Recipe = z.infer<typeof Recipe>;
const recipe: Recipe = { title: 'Tea', steps: ['boil water', 'steep 3 minutes'], minutes: 5 };

async function collect<T>(events: AsyncIterable<StreamObjectEvent<T>>): Promise<StreamObjectEvent<T>[]> {
  const out: StreamObjectEvent<T>[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('streamObject', () => {
  test('yields growing partials as the JSON streams, then the validated object', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply(JSON.stringify(recipe), { costUsd: 0.001 })] });
    const events = await collect(streamObject({ model, schema: Recipe, prompt: 'Tea recipe' }));
    const partials = events.filter((e) => e.type === 'partial');
    assert.ok(partials.length >= 5, `expected several partials, got ${partials.length}`);
    // Each partial is a different, growing view of the object.
    const sizes = partials.map((p) => JSON.stringify(p.partial).length);
    for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! >= sizes[i - 1]!, `partial ${i} shrank: ${JSON.stringify(partials.map((p) => p.partial))}`);
    assert.ok(partials.some((p) => p.partial.title === 'Tea' && p.partial.steps === undefined));
    assert.ok(partials.some((p) => Array.isArray(p.partial.steps) && p.partial.steps.length === 1));
    const last = events.at(-1)!;
    assert.equal(last.type, 'object');
    assert.ok(last.type === 'object');
    assert.deepEqual(last.object, recipe);
    assert.equal(last.strategy, 'native');
    assert.equal(last.costUsd, 0.001);
    assert.equal(model.calls[0]!.method, 'stream');
    assert.equal(model.calls[0]!.request.responseFormat?.type, 'json_schema');
  });

  test('forced-tool strategy streams the tool arguments', async () => {
    const model = new ScriptedModel({ provider: 'anthropic', script: [toolCallReply([{ id: 't1', name: 'Recipe', arguments: JSON.stringify(recipe) }])] });
    const events = await collect(streamObject({ model, schema: Recipe, schemaName: 'Recipe', prompt: 'Tea' }));
    assert.ok(events.some((e) => e.type === 'partial'));
    const last = events.at(-1)!;
    assert.ok(last.type === 'object');
    assert.deepEqual(last.object, recipe);
    assert.equal(last.strategy, 'tool');
  });

  test('invalid at the end of the stream: attempt-failed, a repair turn, then the object', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('{"title": "Tea", "steps": ["boil"], "minutes": 5}'), reply(JSON.stringify(recipe))] });
    const events = await collect(streamObject({ model, schema: Recipe, prompt: 'Tea' }));
    const failedAt = events.findIndex((e) => e.type === 'attempt-failed');
    assert.ok(failedAt > 0);
    const failed = events[failedAt]!;
    assert.ok(failed.type === 'attempt-failed');
    assert.equal(failed.attempt.issues?.[0]?.path, 'steps');
    assert.ok(events.slice(failedAt + 1).some((e) => e.type === 'partial' && e.attempt === 2));
    const last = events.at(-1)!;
    assert.ok(last.type === 'object');
    assert.equal(last.attempts.length, 2);
    assert.match(contentText(model.calls[1]!.request.messages.at(-1)!.content as string), /steps: Too small/);
  });

  test('never valid: throws StructuredOutputError after maxAttempts', async () => {
    const model = new ScriptedModel({ provider: 'openai', whenEmpty: reply('{"title": "Tea"}') });
    const seen: StreamObjectEvent<Recipe>[] = [];
    const err = await (async () => {
      for await (const e of streamObject({ model, schema: Recipe, prompt: 'Tea', maxAttempts: 2 })) seen.push(e);
    })().catch((e: unknown) => e);
    assert.ok(err instanceof StructuredOutputError);
    assert.equal(err.attempts.length, 2);
    assert.deepEqual(err.bestPartial, { title: 'Tea' });
    assert.equal(seen.filter((e) => e.type === 'attempt-failed').length, 2);
  });

  test('a stream that fails mid-way propagates the provider error (no repair attempt)', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [streamThenFail(['{"title": "T'])] });
    const err = await collect(streamObject({ model, schema: Recipe, prompt: 'Tea' })).catch((e: unknown) => e);
    assert.ok(err instanceof ConduitError);
    assert.equal(err.kind, 'provider_error');
    assert.ok(!(err instanceof StructuredOutputError));
    assert.equal(model.callCount, 1);
  });

  test('a consumer that stops early closes the model stream', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply(JSON.stringify(recipe))] });
    for await (const e of streamObject({ model, schema: Recipe, prompt: 'Tea' })) {
      if (e.type === 'partial') break;
    }
    assert.equal(model.returnCalls, 1);
    assert.equal(model.inFlight, 0);
  });
});
