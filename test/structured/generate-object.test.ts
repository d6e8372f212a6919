import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConduitError } from '../../src/core/errors.js';
import { contentText, type Message } from '../../src/core/messages.js';
import type { ModelRequest } from '../../src/models/language-model.js';
import { generateObject } from '../../src/structured/generate-object.js';
import { chooseStrategy } from '../../src/structured/strategy.js';
import { StructuredOutputError } from '../../src/structured/structured-output-error.js';
import type { DeadLetterSink, NewDeadLetterItem } from '../../src/structured/dead-letter-sink.js';
import { fail, reply, ScriptedModel, toolCallReply } from '../support/scripted-model.js';

const User = z.object({ name: z.string().min(1), age: z.number().int().min(0).max(120), city: z.string() });
const valid = { name: 'Ada', age: 36, city: 'London' };

function requestText(request: ModelRequest): string {
  return request.messages.map((m: Message) => contentText(m.content)).join('\n---\n');
}

describe('generateObject strategies', () => {
  test('native: an openai model gets a json_schema response format built from the zod schema', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply(JSON.stringify(valid), { costUsd: 0.002 })] });
    const result = await generateObject({ model, schema: User, schemaName: 'UserData', prompt: 'Extract: Ada, 36, London' });
    assert.deepEqual(result.object, valid);
    assert.equal(result.strategy, 'native');
    assert.equal(result.attempts.length, 1);
    assert.equal(result.costUsd, 0.002);
    const format = model.calls[0]!.request.responseFormat;
    assert.ok(format?.type === 'json_schema');
    assert.equal(format.name, 'UserData');
    assert.deepEqual(format.schema.required, ['name', 'age', 'city']);
    assert.equal(format.strict, true, 'closed objects with every property required can go strict');
    assert.equal(model.calls[0]!.request.tools, undefined);
  });

  test('tool: an anthropic model gets one forced tool and the object is its arguments', async () => {
    const model = new ScriptedModel({ provider: 'anthropic', script: [toolCallReply([{ id: 'tu_1', name: 'UserData', arguments: JSON.stringify(valid) }])] });
    const result = await generateObject({ model, schema: User, schemaName: 'UserData', prompt: 'Extract' });
    assert.deepEqual(result.object, valid);
    assert.equal(result.strategy, 'tool');
    const request = model.calls[0]!.request;
    assert.equal(request.tools?.length, 1);
    assert.equal(request.tools?.[0]?.name, 'UserData');
    assert.deepEqual(request.toolChoice, { type: 'tool', name: 'UserData' });
    assert.equal(request.responseFormat, undefined);
  });

  test('grammar: a llama.cpp model gets the json_schema response format its adapter compiles to a grammar', async () => {
    const model = new ScriptedModel({ provider: 'llamacpp', capabilities: { tools: false }, script: [reply(JSON.stringify(valid))] });
    const result = await generateObject({ model, schema: User, prompt: 'x' });
    assert.equal(result.strategy, 'grammar');
    assert.equal(model.calls[0]!.request.responseFormat?.type, 'json_schema');
  });

  test('grammar for llama.cpp, tool for tool-only models, prompt as the last resort', () => {
    const caps = { streaming: true, vision: false };
    assert.equal(chooseStrategy({ provider: 'llamacpp', capabilities: { ...caps, tools: false, jsonSchema: true } }), 'grammar');
    assert.equal(chooseStrategy({ provider: 'ollama', capabilities: { ...caps, tools: false, jsonSchema: true } }), 'native');
    assert.equal(chooseStrategy({ provider: 'openai-compatible', capabilities: { ...caps, tools: true, jsonSchema: false } }), 'tool');
    assert.equal(chooseStrategy({ provider: 'openai-compatible', capabilities: { ...caps, tools: false, jsonSchema: false } }), 'prompt');
    assert.equal(chooseStrategy({ provider: 'anthropic', capabilities: { ...caps, tools: true, jsonSchema: false } }, 'prompt'), 'prompt');
  });

  test('prompt-only fallback: schema and JSON-only rules in the system prompt, prose-wrapped answer parsed', async () => {
    const model = new ScriptedModel({
      provider: 'openai-compatible',
      capabilities: { jsonSchema: false, tools: false },
      script: [reply('Here is the data you asked for:\n```json\n' + JSON.stringify(valid) + '\n```\nHope it helps!')],
    });
    const result = await generateObject({ model, schema: User, system: 'You extract user data.', prompt: 'Ada, 36, London' });
    assert.equal(result.strategy, 'prompt');
    assert.deepEqual(result.object, valid);
    const request = model.calls[0]!.request;
    assert.equal(request.responseFormat, undefined);
    assert.equal(request.tools, undefined);
    assert.equal(request.messages[0]!.role, 'system');
    const system = contentText(request.messages[0]!.content as string);
    assert.match(system, /^You extract user data\./);
    assert.match(system, /Reply with JSON only/);
    assert.match(system, /"required":\["name","age","city"\]/);
  });

  test('a plain JSON Schema is validated too (through z.fromJSONSchema)', async () => {
    const schema = { type: 'object', properties: { kind: { enum: ['refund', 'delivery'] }, ids: { type: 'array', items: { type: 'string' } } }, required: ['kind', 'ids'] };
    const model = new ScriptedModel({ provider: 'openai', script: [reply('{"kind": "gift", "ids": [1]}'), reply('{"kind": "refund", "ids": ["a1"]}')] });
    const result = await generateObject({ model, schema, prompt: 'x' });
    assert.deepEqual(result.object, { kind: 'refund', ids: ['a1'] });
    assert.equal(result.attempts.length, 2);
    assert.deepEqual(result.attempts[0]!.issues?.map((i) => i.path).sort(), ['ids[0]', 'kind']);
    assert.equal(model.calls[0]!.request.responseFormat?.type === 'json_schema' && model.calls[0]!.request.responseFormat.strict, false);
  });
});

describe('generateObject repair loop', () => {
  test('broken JSON first, valid second: succeeds on attempt 2 and the repair turn carries the error', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('{"name": "Ada", "age": 36, "city": '), reply(JSON.stringify(valid))] });
    const result = await generateObject({ model, schema: User, prompt: 'Extract' });
    assert.deepEqual(result.object, valid);
    assert.equal(result.attempts.length, 2);
    assert.match(result.attempts[0]!.parseError ?? '', /Invalid JSON/);
    assert.equal(result.usage.inputTokens, 20, 'usage is summed over attempts');
    const second = model.calls[1]!.request;
    assert.equal(second.messages.length, 3);
    assert.deepEqual(second.messages[1], { role: 'assistant', content: '{"name": "Ada", "age": 36, "city": ' });
    assert.match(requestText(second), /not valid JSON:\nInvalid JSON/);
    assert.equal(second.responseFormat?.type, 'json_schema', 'the repair attempt keeps the strategy');
  });

  test('validation errors (path + message) go back to the model', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('{"name": "", "age": "36", "city": "London"}'), reply(JSON.stringify(valid))] });
    const result = await generateObject({ model, schema: User, prompt: 'Extract' });
    assert.equal(result.attempts[0]!.issues?.length, 2);
    const repair = contentText(model.calls[1]!.request.messages.at(-1)!.content as string);
    assert.match(repair, /failed validation/);
    assert.match(repair, /- name: Too small/);
    assert.match(repair, /- age: Invalid input: expected number/);
  });

  test('tool strategy repairs through a tool result marked as an error', async () => {
    const model = new ScriptedModel({
      provider: 'anthropic',
      script: [toolCallReply([{ id: 'tu_1', name: 'response', arguments: '{"name": "Ada"}' }]), toolCallReply([{ id: 'tu_2', name: 'response', arguments: JSON.stringify(valid) }])],
    });
    const result = await generateObject({ model, schema: User, prompt: 'Extract' });
    assert.deepEqual(result.object, valid);
    const messages = model.calls[1]!.request.messages;
    assert.equal(messages[1]!.role, 'assistant');
    assert.deepEqual(messages[1]!.role === 'assistant' ? messages[1]!.toolCalls?.[0]?.id : undefined, 'tu_1');
    const toolResult = messages[2]!;
    assert.ok(toolResult.role === 'tool' && toolResult.isError === true && toolResult.toolCallId === 'tu_1');
    assert.match(contentText(toolResult.content), /age: Invalid input/);
  });

  test('a model that never complies: StructuredOutputError with every attempt and the best partial', async () => {
    const model = new ScriptedModel({
      provider: 'openai',
      script: [
        reply('I am not sure what you mean.'),
        reply('{"name": "Ada", "age": 36, "city": 7}'), // 1 issue: the best
        reply('{"name": "", "age": -1}'), // 3 issues
      ],
    });
    const sink: NewDeadLetterItem[] = [];
    const deadLetterQueue: DeadLetterSink = { add: async (item) => (sink.push(item), 'dlq_test_1') };
    const err = await generateObject({ model, schema: User, schemaName: 'UserData', prompt: 'Extract', deadLetterQueue }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StructuredOutputError);
    assert.ok(err instanceof ConduitError);
    assert.equal(err.kind, 'provider_error');
    assert.equal(err.code, 'structured_output_failed');
    assert.equal(err.retryable, false);
    assert.equal(err.attempts.length, 3);
    assert.equal(model.callCount, 3);
    assert.match(err.attempts[0]!.parseError ?? '', /No JSON object/);
    assert.equal(err.attempts[1]!.issues?.length, 1);
    assert.equal(err.attempts[2]!.issues?.length, 3);
    assert.deepEqual(err.bestPartial, { name: 'Ada', age: 36, city: 7 });
    assert.equal(err.deadLetterId, 'dlq_test_1');
    assert.equal(sink.length, 1);
    assert.equal(sink[0]!.schemaName, 'UserData');
    assert.deepEqual(sink[0]!.input, [{ role: 'user', content: 'Extract' }]);
    assert.equal(sink[0]!.errors.length, 3);
    assert.match(sink[0]!.errors[1]!, /^attempt 2: city:/);
    assert.equal(model.calls[2]!.request.messages.length, 5, 'each repair turn stays in the conversation');
  });

  test('a failing dead-letter write does not hide the structured-output error', async () => {
    const model = new ScriptedModel({ provider: 'openai', whenEmpty: reply('nope') });
    const err = await generateObject({
      model,
      schema: User,
      prompt: 'x',
      maxAttempts: 1,
      deadLetterQueue: {
        add: () => Promise.reject(new Error('db down')),
      },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof StructuredOutputError);
    assert.equal(err.attempts.length, 1);
    assert.equal(err.deadLetterId, undefined);
    assert.match(String(err.deadLetterError), /db down/);
  });

  test('provider errors are not repair attempts: they propagate at once', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('garbage'), fail('rate_limited', { retryAfterMs: 10 })] });
    const err = await generateObject({ model, schema: User, prompt: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof ConduitError);
    assert.equal(err.kind, 'rate_limited');
    assert.ok(!(err instanceof StructuredOutputError));
    assert.equal(model.callCount, 2);
  });

  test('cost is summed only when every attempt reports one; signal travels in call options', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('{}', { costUsd: 0.01 }), reply(JSON.stringify(valid))] });
    const controller = new AbortController();
    const result = await generateObject({ model, schema: User, prompt: 'x', signal: controller.signal });
    assert.equal(result.costUsd, undefined);
    assert.equal(model.calls[0]!.options.signal, controller.signal);
    controller.abort();
    const err = await generateObject({ model, schema: User, prompt: 'x', signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(err instanceof ConduitError && err.kind === 'cancelled');
  });

  test('invalid options are the caller\'s error', async () => {
    const model = new ScriptedModel({ provider: 'openai' });
    await assert.rejects(generateObject({ model, schema: User }), (e: unknown) => e instanceof ConduitError && e.kind === 'invalid_request');
    await assert.rejects(generateObject({ model, schema: User, prompt: 'x', maxAttempts: 0 }), (e: unknown) => e instanceof ConduitError && e.kind === 'invalid_request');
    assert.equal(model.callCount, 0);
  });
});
