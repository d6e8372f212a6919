/**
 * One provider-neutral conformance suite that every LanguageModel adapter over HTTP must pass (the
 * LangChain `standard-tests` idea). It speaks only Conduit's types: it queues provider-neutral
 * Scenarios on a fake upstream (which renders them in the provider's wire format) and asserts on
 * what the adapter returns, throws and sends.
 *
 * Contract the suite pins down (beyond the obvious):
 * - an adapter never retries by itself (one scenario ⇒ exactly one upstream request);
 * - an HTTP error status maps to its ConduitError kind, from generate() and from stream() alike;
 * - a stream cut or failing in-band after content throws `stream_interrupted`; before content it
 *   throws `provider_error` or `provider_unavailable` (so failover can move on transparently);
 * - a stall longer than the idle timeout throws `timeout`, before or after content;
 * - the attempt timeout throws `timeout`, an aborted signal throws `cancelled`;
 * - a stream always ends with exactly one `finish` part, after which nothing is yielded.
 *
 * Usage (one file per adapter, e.g. test/conformance/openai.conformance.test.ts):
 *   runLanguageModelConformance({ name: 'openai', startUpstream: startFakeOpenAI,
 *     createModel: (baseURL, s) => createOpenAIModel({ modelId: 'gpt-4o-mini', baseURL, apiKey: 'k', idleTimeoutMs: s.idleTimeoutMs }),
 *     features: { cachedInputTokens: true, reasoningTokens: true, reasoningText: true } });
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError, type ErrorKind } from '../../src/core/errors.js';
import type { Message, ToolDefinition } from '../../src/core/messages.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../../src/models/language-model.js';
import type { FakeUpstream } from '../fake-upstream/fake-upstream.js';
import type { RecordedRequest, Scenario } from '../fake-upstream/scenario.js';

/** Settings the suite needs the adapter to be created with (the stall checks need a short idle timeout). */
export interface ConformanceModelSettings {
  /** Max gap between stream chunks before the adapter throws `timeout`. */
  idleTimeoutMs: number;
}

/** What the provider's wire format can carry; a field it cannot carry must come back as 0 / absent. */
export interface ConformanceFeatures {
  /** Usage reports cached prompt tokens (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  cachedInputTokens?: boolean;
  /** Usage reports cache-write tokens (Anthropic `cache_creation_input_tokens`). */
  cacheWriteTokens?: boolean;
  /** Usage reports reasoning tokens (OpenAI `reasoning_tokens`). */
  reasoningTokens?: boolean;
  /** The adapter surfaces visible reasoning text (`reasoning_content`, thinking blocks). */
  reasoningText?: boolean;
}

export interface LanguageModelConformanceTarget {
  /** Shown in test names. */
  name: string;
  /** Creates the adapter under test pointed at the fake upstream's `url`. */
  createModel(baseURL: string, settings: ConformanceModelSettings): LanguageModel;
  startUpstream(): Promise<FakeUpstream>;
  features?: ConformanceFeatures;
  /** Names of checks (the test titles below, without the target name) this adapter cannot support. Say why where you call it. */
  skip?: string[];
}

/** The idle timeout the suite asks adapters to use: long enough for a loaded CI box, short enough to keep the suite fast. */
export const CONFORMANCE_IDLE_TIMEOUT_MS = 1_000;

const WEATHER_TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
    required: ['city'],
  },
};

const USER_HELLO: Message[] = [{ role: 'user', content: 'Say hello.' }];

export function runLanguageModelConformance(target: LanguageModelConformanceTarget): void {
  const features = target.features ?? {};
  const skipped = new Set(target.skip ?? []);

  describe(`${target.name}: language model conformance`, () => {
    let upstream: FakeUpstream;
    let model: LanguageModel;

    before(async () => {
      upstream = await target.startUpstream();
      model = target.createModel(upstream.url, { idleTimeoutMs: CONFORMANCE_IDLE_TIMEOUT_MS });
    });
    after(async () => {
      await upstream?.close();
    });

    /** Registers a check unless the target skips it. */
    const check = (title: string, fn: () => Promise<void>) => {
      if (skipped.has(title)) test(title, { skip: `skipped by the ${target.name} target` }, () => undefined);
      else test(title, fn);
    };

    /** Runs `fn` with one queued scenario and asserts the adapter made exactly one upstream request. */
    async function withScenario<T>(scenario: Scenario, fn: () => Promise<T>): Promise<{ value: T; request: RecordedRequest }> {
      const before = upstream.requests.length;
      upstream.enqueue(scenario);
      const value = await fn();
      const sent = upstream.requests.slice(before);
      assert.equal(sent.length, 1, `expected exactly one upstream request (adapters must not retry), got ${sent.length}`);
      return { value, request: sent[0]! };
    }

    async function expectError(scenario: Scenario, fn: () => Promise<unknown>): Promise<{ error: ConduitError; request: RecordedRequest }> {
      const { value, request } = await withScenario<unknown>(scenario, async () => {
        try {
          await fn();
        } catch (err) {
          return err;
        }
        return undefined;
      });
      assert.ok(value instanceof ConduitError, `expected a ConduitError, got ${value === undefined ? 'success' : String(value)}`);
      return { error: value, request };
    }

    // ---------------------------------------------------------------- plain generate and stream

    check('generate returns the text, finish reason, usage and provider', async () => {
      const { value: r } = await withScenario(
        { kind: 'reply', text: 'Hello, conformance!', usage: { inputTokens: 11, outputTokens: 5 }, model: 'fake-model-1' },
        () => model.generate({ messages: USER_HELLO }),
      );
      assert.equal(r.text, 'Hello, conformance!');
      assert.equal(r.finishReason, 'stop');
      assert.deepEqual(r.toolCalls, []);
      assert.equal(r.usage.inputTokens, 11);
      assert.equal(r.usage.outputTokens, 5);
      assert.equal(r.provider, model.provider);
      assert.equal(r.model, 'fake-model-1');
    });

    check('generate sends the user message', async () => {
      const { request } = await withScenario({ kind: 'reply', text: 'ok' }, () =>
        model.generate({ messages: [{ role: 'user', content: 'user-message-marker-7731' }] }),
      );
      assert.equal(request.method, 'POST');
      assert.ok(JSON.stringify(request.body).includes('user-message-marker-7731'), 'the user text is in the upstream request');
    });

    check('stream yields text deltas whose concatenation equals the text, then one finish', async () => {
      const chunks = ['Hel', 'lo, ', 'stre', 'aming ', 'wor', 'ld!'];
      const { value: parts } = await withScenario(
        { kind: 'reply', chunks, usage: { inputTokens: 9, outputTokens: 6 } },
        () => collect(model.stream({ messages: USER_HELLO })),
      );
      const deltas = parts.filter((p) => p.type === 'text-delta');
      assert.ok(deltas.length >= 2, `expected several text deltas, got ${deltas.length}`);
      assert.equal(textOf(parts), chunks.join(''));
      const finish = onlyFinish(parts);
      assert.equal(parts.at(-1), finish, 'finish is the last part');
      assert.equal(finish.finishReason, 'stop');
      assert.equal(finish.usage.inputTokens, 9);
      assert.equal(finish.usage.outputTokens, 6);
      assert.deepEqual(finish.toolCalls, []);
    });

    check('stream and generate agree on the same reply', async () => {
      const scenario: Scenario = { kind: 'reply', text: 'Same answer either way, with ünïcødé ✓.', usage: { inputTokens: 3, outputTokens: 4 } };
      const { value: g } = await withScenario(scenario, () => model.generate({ messages: USER_HELLO }));
      const { value: parts } = await withScenario(scenario, () => collect(model.stream({ messages: USER_HELLO })));
      assert.equal(textOf(parts), g.text);
      assert.deepEqual(onlyFinish(parts).usage, g.usage);
    });

    // ---------------------------------------------------------------- usage

    check('usage is normalised (cached, cache-write and reasoning tokens) in generate and stream', async () => {
      const usage = { inputTokens: 120, outputTokens: 40, cachedInputTokens: 64, cacheWriteTokens: 16, reasoningTokens: 12 };
      const expected = {
        inputTokens: 120,
        outputTokens: 40,
        cachedInputTokens: features.cachedInputTokens ? 64 : 0,
        cacheWriteTokens: features.cacheWriteTokens ? 16 : 0,
        reasoningTokens: features.reasoningTokens ? 12 : 0,
      };
      const { value: g } = await withScenario({ kind: 'reply', text: 'usage', usage }, () => model.generate({ messages: USER_HELLO }));
      assert.deepEqual(g.usage, expected);
      const { value: parts } = await withScenario({ kind: 'reply', text: 'usage', usage }, () => collect(model.stream({ messages: USER_HELLO })));
      assert.deepEqual(onlyFinish(parts).usage, expected);
    });

    if (features.reasoningText) {
      check('reasoning text is surfaced apart from the answer', async () => {
        const scenario: Scenario = { kind: 'reply', reasoning: 'Think: greet the user politely.', text: 'Hello!' };
        const { value: g } = await withScenario(scenario, () => model.generate({ messages: USER_HELLO }));
        assert.equal(g.text, 'Hello!');
        assert.equal(g.reasoning, 'Think: greet the user politely.');
        const { value: parts } = await withScenario(scenario, () => collect(model.stream({ messages: USER_HELLO })));
        assert.equal(textOf(parts), 'Hello!');
        assert.equal(parts.flatMap((p) => (p.type === 'reasoning-delta' ? [p.delta] : [])).join(''), 'Think: greet the user politely.');
      });
    }

    // ---------------------------------------------------------------- tools

    const singleCall = { id: 'call_single_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' };
    const parallelCalls = [
      { id: 'call_par_a', name: 'get_weather', arguments: '{"city":"Zürich","unit":"c","note":"quote \\" and brace }"}' },
      { id: 'call_par_b', name: 'get_time', arguments: '{"zone":"Asia/Tokyo","nested":{"list":[1,2,{"deep":true}]}}' },
    ];
    const toolRequest: ModelRequest = {
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL, { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } }],
    };

    check('generate returns a single tool call with intact JSON arguments', async () => {
      const { value: r, request } = await withScenario(
        { kind: 'reply', toolCalls: [singleCall], finishReason: 'tool_calls' },
        () => model.generate(toolRequest),
      );
      assert.deepEqual(r.toolCalls, [singleCall]);
      assert.equal(r.finishReason, 'tool_calls');
      assert.equal(r.text, '');
      const sent = JSON.stringify(request.body);
      assert.ok(sent.includes('get_weather') && sent.includes('Current weather for a city'), 'tool definitions are sent upstream');
    });

    check('generate returns parallel tool calls in order', async () => {
      const { value: r } = await withScenario({ kind: 'reply', toolCalls: parallelCalls, finishReason: 'tool_calls' }, () => model.generate(toolRequest));
      assert.deepEqual(r.toolCalls, parallelCalls);
      for (const call of r.toolCalls) JSON.parse(call.arguments);
    });

    check('stream reassembles a single streamed tool call', async () => {
      const { value: parts } = await withScenario({ kind: 'reply', toolCalls: [singleCall], finishReason: 'tool_calls' }, () =>
        collect(model.stream(toolRequest)),
      );
      const starts = parts.filter((p) => p.type === 'tool-call-start');
      assert.equal(starts.length, 1);
      assert.deepEqual({ id: starts[0]!.id, name: starts[0]!.name }, { id: singleCall.id, name: singleCall.name });
      assert.equal(argumentsOf(parts, starts[0]!.index), singleCall.arguments);
      const finish = onlyFinish(parts);
      assert.equal(finish.finishReason, 'tool_calls');
      assert.deepEqual(finish.toolCalls, [singleCall]);
    });

    check('stream reassembles parallel tool calls from their deltas', async () => {
      const { value: parts } = await withScenario({ kind: 'reply', toolCalls: parallelCalls, finishReason: 'tool_calls' }, () =>
        collect(model.stream(toolRequest)),
      );
      const starts = parts.filter((p) => p.type === 'tool-call-start');
      assert.equal(starts.length, 2);
      assert.notEqual(starts[0]!.index, starts[1]!.index, 'each call has its own index');
      for (const [i, call] of parallelCalls.entries()) {
        const start = starts.find((s) => s.id === call.id);
        assert.ok(start, `a tool-call-start for ${call.id}`);
        assert.equal(start.name, call.name);
        assert.equal(argumentsOf(parts, start.index), call.arguments, `arguments of call ${i}`);
        // A delta for a call never comes before that call's start.
        const firstDelta = parts.findIndex((p) => p.type === 'tool-call-delta' && p.index === start.index);
        assert.ok(firstDelta === -1 || firstDelta > parts.indexOf(start));
      }
      const finish = onlyFinish(parts);
      assert.deepEqual(finish.toolCalls, parallelCalls);
      for (const call of finish.toolCalls) JSON.parse(call.arguments);
    });

    check('a tool result round trip is sent upstream (assistant tool call + tool result)', async () => {
      const { value: r, request } = await withScenario({ kind: 'reply', text: 'It is sunny.' }, () =>
        model.generate({
          tools: [WEATHER_TOOL],
          messages: [
            { role: 'user', content: 'Weather in Lyon?' },
            { role: 'assistant', content: null, toolCalls: [{ id: 'call_rt_42', name: 'get_weather', arguments: '{"city":"Lyon-args-marker"}' }] },
            { role: 'tool', toolCallId: 'call_rt_42', content: 'sunny-and-21C-result-marker' },
          ],
        }),
      );
      assert.equal(r.text, 'It is sunny.');
      const sent = JSON.stringify(request.body);
      assert.ok(occurrences(sent, 'call_rt_42') >= 2, 'the call id appears on the tool call and on its result');
      assert.ok(sent.includes('Lyon-args-marker'), 'the tool call arguments are sent');
      assert.ok(sent.includes('sunny-and-21C-result-marker'), 'the tool result is sent');
      assert.ok(sent.indexOf('Lyon-args-marker') < sent.indexOf('sunny-and-21C-result-marker'), 'the call precedes its result');
    });

    check('the system prompt is delivered', async () => {
      const { request } = await withScenario({ kind: 'reply', text: 'ok' }, () =>
        model.generate({ messages: [{ role: 'system', content: 'You are system-prompt-marker-5521.' }, ...USER_HELLO] }),
      );
      assert.ok(JSON.stringify(request.body).includes('You are system-prompt-marker-5521.'));
    });

    // ---------------------------------------------------------------- error statuses

    const statusCases: { status: number; kind: ErrorKind; retryAfterSeconds?: number }[] = [
      { status: 400, kind: 'invalid_request' },
      { status: 401, kind: 'authentication' },
      { status: 404, kind: 'not_found' },
      { status: 429, kind: 'rate_limited', retryAfterSeconds: 2 },
      { status: 500, kind: 'provider_error' },
      { status: 503, kind: 'provider_unavailable' },
    ];
    for (const c of statusCases) {
      check(`HTTP ${c.status} maps to ${c.kind} in generate and stream`, async () => {
        const scenario: Scenario = {
          kind: 'error',
          status: c.status,
          message: `status-${c.status}-message`,
          ...(c.retryAfterSeconds !== undefined ? { retryAfterSeconds: c.retryAfterSeconds } : {}),
        };
        for (const run of generateAndStream(model)) {
          const { error } = await expectError(scenario, run);
          assert.equal(error.kind, c.kind);
          assert.equal(error.upstreamStatus, c.status);
          assert.ok(error.message.includes(`status-${c.status}-message`), `the upstream message is kept: ${error.message}`);
          if (c.retryAfterSeconds !== undefined) assert.equal(error.retryAfterMs, c.retryAfterSeconds * 1000);
          assert.equal(error.retryable, c.kind === 'rate_limited' || c.kind === 'provider_error' || c.kind === 'provider_unavailable');
        }
      });
    }

    // ---------------------------------------------------------------- timing faults

    check('a slow first byte within the attempt timeout succeeds', async () => {
      const { value: r } = await withScenario(
        { kind: 'fault', fault: { type: 'slow-first-byte', delayMs: 300 }, then: { kind: 'reply', text: 'worth the wait' } },
        () => model.generate({ messages: USER_HELLO }, { attemptTimeoutMs: 10_000 }),
      );
      assert.equal(r.text, 'worth the wait');
      const { value: parts } = await withScenario(
        { kind: 'fault', fault: { type: 'slow-first-byte', delayMs: 300 }, then: { kind: 'reply', text: 'streamed after the wait' } },
        () => collect(model.stream({ messages: USER_HELLO }, { attemptTimeoutMs: 10_000 })),
      );
      assert.equal(textOf(parts), 'streamed after the wait');
    });

    check('the attempt timeout throws timeout in generate and stream', async () => {
      const scenario: Scenario = { kind: 'fault', fault: { type: 'slow-first-byte', delayMs: 5_000 }, then: { kind: 'reply', text: 'too late' } };
      for (const run of generateAndStream(model, { attemptTimeoutMs: 200 })) {
        const started = Date.now();
        const { error } = await expectError(scenario, run);
        assert.equal(error.kind, 'timeout');
        assert.ok(Date.now() - started < 4_000, 'the timeout fired long before the upstream answered');
      }
    });

    check('a stream stalled before content throws timeout after the idle timeout', async () => {
      const started = Date.now();
      const { error } = await expectError({ kind: 'fault', fault: { type: 'stall-after-chunks', chunks: 0 }, then: { kind: 'reply', text: 'never sent' } }, () =>
        collect(model.stream({ messages: USER_HELLO })),
      );
      assert.equal(error.kind, 'timeout');
      assert.ok(Date.now() - started < CONFORMANCE_IDLE_TIMEOUT_MS + 8_000, 'the stall was detected by the idle timeout');
    });

    check('a stream stalled after content throws timeout, after yielding that content', async () => {
      const { value } = await withScenario(
        { kind: 'fault', fault: { type: 'stall-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks: ['one ', 'two ', 'three ', 'four'] } },
        () => collectUntilError(model.stream({ messages: USER_HELLO })),
      );
      assert.equal(textOf(value.parts), 'one two ');
      assert.ok(value.error instanceof ConduitError, `expected a ConduitError, got ${String(value.error)}`);
      assert.equal(value.error.kind, 'timeout');
      assert.equal(value.parts.filter((p) => p.type === 'finish').length, 0, 'no finish after a stall');
    });

    // ---------------------------------------------------------------- broken streams

    check('a stream cut after content throws stream_interrupted after yielding that content', async () => {
      const { value } = await withScenario(
        { kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 2 }, then: { kind: 'reply', chunks: ['alpha ', 'beta ', 'gamma ', 'delta'] } },
        () => collectUntilError(model.stream({ messages: USER_HELLO })),
      );
      assert.equal(textOf(value.parts), 'alpha beta ');
      assert.ok(value.error instanceof ConduitError, `expected a ConduitError, got ${String(value.error)}`);
      assert.equal(value.error.kind, 'stream_interrupted');
      assert.equal(value.parts.filter((p) => p.type === 'finish').length, 0, 'a cut stream never reports finish');
    });

    check('a stream cut before content throws a retryable provider error', async () => {
      const { value } = await withScenario(
        { kind: 'fault', fault: { type: 'cut-after-chunks', chunks: 0 }, then: { kind: 'reply', text: 'never sent' } },
        () => collectUntilError(model.stream({ messages: USER_HELLO })),
      );
      assert.equal(textOf(value.parts), '');
      assert.ok(value.error instanceof ConduitError, `expected a ConduitError, got ${String(value.error)}`);
      assert.ok(['provider_error', 'provider_unavailable'].includes(value.error.kind), `kind ${value.error.kind}`);
      assert.equal(value.error.retryable, true);
    });

    check('an in-band error after content throws stream_interrupted carrying the upstream message', async () => {
      const { value } = await withScenario(
        {
          kind: 'fault',
          fault: { type: 'in-band-error-after-chunks', chunks: 2, message: 'in-band-failure-marker' },
          then: { kind: 'reply', chunks: ['first ', 'second ', 'third'] },
        },
        () => collectUntilError(model.stream({ messages: USER_HELLO })),
      );
      assert.equal(textOf(value.parts), 'first second ');
      assert.ok(value.error instanceof ConduitError, `expected a ConduitError, got ${String(value.error)}`);
      assert.equal(value.error.kind, 'stream_interrupted');
      assert.ok(value.error.message.includes('in-band-failure-marker'), value.error.message);
    });

    check('an in-band error before content throws a provider error', async () => {
      const { value } = await withScenario(
        {
          kind: 'fault',
          fault: { type: 'in-band-error-after-chunks', chunks: 0, message: 'early-in-band-marker' },
          then: { kind: 'reply', text: 'never sent' },
        },
        () => collectUntilError(model.stream({ messages: USER_HELLO })),
      );
      assert.equal(textOf(value.parts), '');
      assert.ok(value.error instanceof ConduitError, `expected a ConduitError, got ${String(value.error)}`);
      assert.ok(['provider_error', 'provider_unavailable'].includes(value.error.kind), `kind ${value.error.kind}`);
      assert.ok(value.error.message.includes('early-in-band-marker'), value.error.message);
    });

    check('a connection reset maps to provider_unavailable in generate and stream', async () => {
      for (const run of generateAndStream(model)) {
        const { error } = await expectError({ kind: 'fault', fault: { type: 'connection-reset' } }, run);
        assert.equal(error.kind, 'provider_unavailable');
        assert.equal(error.retryable, true);
      }
    });

    check('a 200 response that is not valid JSON maps to provider_error', async () => {
      const { error } = await expectError({ kind: 'fault', fault: { type: 'malformed-json' } }, () => model.generate({ messages: USER_HELLO }));
      assert.equal(error.kind, 'provider_error');
    });

    // ---------------------------------------------------------------- cancellation

    check('an aborted signal cancels a pending generate', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const { error } = await expectError(
        { kind: 'fault', fault: { type: 'slow-first-byte', delayMs: 5_000 }, then: { kind: 'reply', text: 'too late' } },
        () => model.generate({ messages: USER_HELLO }, { signal: controller.signal }),
      );
      assert.equal(error.kind, 'cancelled');
      assert.ok(Date.now() - started < 4_000, 'cancelled promptly');
    });

    check('an aborted signal cancels a stream in progress', async () => {
      const controller = new AbortController();
      const options: CallOptions = { signal: controller.signal };
      const { value } = await withScenario(
        { kind: 'fault', fault: { type: 'stall-after-chunks', chunks: 1 }, then: { kind: 'reply', chunks: ['partial ', 'rest'] } },
        () =>
          collectUntilError(model.stream({ messages: USER_HELLO }, options), (part) => {
            if (part.type === 'text-delta') controller.abort();
          }),
      );
      assert.equal(textOf(value.parts), 'partial ');
      assert.ok(value.error instanceof ConduitError, `expected a ConduitError, got ${String(value.error)}`);
      assert.equal(value.error.kind, 'cancelled');
    });

    check('a signal aborted before the call rejects without contacting the upstream', async () => {
      const before = upstream.requests.length;
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(model.generate({ messages: USER_HELLO }, { signal: controller.signal }), (err: unknown) => err instanceof ConduitError && err.kind === 'cancelled');
      assert.equal(upstream.requests.length, before);
    });
  });
}

// ---------------------------------------------------------------- helpers

/** The same plain request through generate() and through stream() (drained). */
function generateAndStream(model: LanguageModel, options: CallOptions = {}): (() => Promise<unknown>)[] {
  return [() => model.generate({ messages: USER_HELLO }, options), () => collect(model.stream({ messages: USER_HELLO }, options))];
}

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) {
    if (parts.at(-1)?.type === 'finish') assert.fail('a part was yielded after finish');
    parts.push(part);
  }
  return parts;
}

async function collectUntilError(stream: AsyncIterable<StreamPart>, onPart?: (part: StreamPart) => void): Promise<{ parts: StreamPart[]; error: unknown }> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of stream) {
      parts.push(part);
      onPart?.(part);
    }
  } catch (error) {
    return { parts, error };
  }
  return { parts, error: undefined };
}

function textOf(parts: StreamPart[]): string {
  return parts.flatMap((p) => (p.type === 'text-delta' ? [p.delta] : [])).join('');
}

function argumentsOf(parts: StreamPart[], index: number): string {
  return parts.flatMap((p) => (p.type === 'tool-call-delta' && p.index === index ? [p.argumentsDelta] : [])).join('');
}

function onlyFinish(parts: StreamPart[]): Extract<StreamPart, { type: 'finish' }> {
  const finishes = parts.filter((p): p is Extract<StreamPart, { type: 'finish' }> => p.type === 'finish');
  assert.equal(finishes.length, 1, 'exactly one finish part');
  return finishes[0]!;
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Re-exported for adapter-specific tests that want the same helpers. */
export const streamHelpers = { collect, collectUntilError, textOf, argumentsOf, onlyFinish };
