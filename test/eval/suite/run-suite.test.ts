import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startFakeOpenAI, type FakeOpenAI } from '../../fake-upstream/openai-upstream.js';
import type { Scenario } from '../../fake-upstream/scenario.js';
import { runSuite } from '../../../src/eval/suite/run-suite.js';
import { createPromptRegistry } from '../../../src/prompting/registry.js';
import type { LanguageModel } from '../../../src/models/language-model.js';
import { isConduitError } from '../../../src/core/errors.js';
import { fakeResolver, lastUserText, suiteOf } from './harness.js';
import type { EvalResultStore } from '../../../src/eval/suite/result-store.js';
import type { EvalOutput } from '../../../src/eval/assertions/assertion.js';
import { inputHash } from '../../../src/eval/suite/input-hash.js';

let upstream: FakeOpenAI;
/** Scripted replies for the next requests, else an echo of the model and last user message. */
const script: Scenario[] = [];

before(async () => {
  upstream = await startFakeOpenAI({
    scenarios: (req) => {
      const next = script.shift();
      if (next !== undefined) return next;
      const body = req.body as { model: string };
      return { kind: 'reply', text: `[${body.model}] ${lastUserText(req.body)}`, usage: { inputTokens: 10, outputTokens: 5 } };
    },
  });
});
after(() => upstream.close());

const chatRequests = () => upstream.requests.filter((r) => r.path.endsWith('/chat/completions'));

describe('runSuite', () => {
  test('runs the matrix prompts × models × cases × repeats, with aliases and role markers', async () => {
    const before = chatRequests().length;
    const suite = suiteOf({
      name: 'matrix',
      prompts: [{ label: 'plain', template: 'Greet {{name}}' }, { label: 'system', template: '[system]\nBe brief.\n[user]\nSay hi to {{name}}' }],
      models: ['gpt-4o', { name: 'fast', label: 'fast-alias' }],
      repeat: 2,
      defaults: { assert: [{ type: 'icontains', value: 'gpt-4o' }] },
      cases: [
        { name: 'ada', vars: { name: 'Ada' }, assert: [{ type: 'contains', value: 'Ada' }] },
        { name: 'bob', vars: { name: 'Bob' }, assert: [{ type: 'contains', value: 'Alice' }] },
      ],
    });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url) });
    assert.equal(chatRequests().length - before, 16);
    assert.equal(run.results.length, 16);
    assert.deepEqual(
      run.results.slice(0, 4).map((r) => [r.prompt, r.model, r.case, r.repeat]),
      [
        ['plain', 'gpt-4o', 'ada', 0],
        ['plain', 'gpt-4o', 'ada', 1],
        ['plain', 'gpt-4o', 'bob', 0],
        ['plain', 'gpt-4o', 'bob', 1],
      ],
    );
    assert.equal(run.results[4]?.model, 'fast-alias');
    assert.equal(run.results[4]?.output.text, '[gpt-4o-mini] Greet Ada');
    // Every "ada" job passes both checks; every "bob" job fails the Alice check only.
    for (const r of run.results) {
      assert.equal(r.pass, r.case === 'ada', `${r.case}: ${JSON.stringify(r.assertions)}`);
      assert.equal(r.assertions.length, 2);
      assert.equal(r.assertions[0]?.type, 'icontains');
    }
    assert.deepEqual({ ...run.summary, costUsd: 0 }, { total: 16, passed: 8, failed: 8, errors: 0, cached: 0, assertions: { total: 32, failed: 8 }, costUsd: 0, passRate: 0.5 });
    const systemReq = chatRequests().find((r) => lastUserText(r.body) === 'Say hi to Bob');
    const messages = (systemReq?.body as { messages: { role: string; content: string }[] }).messages;
    assert.deepEqual(messages[0], { role: 'system', content: 'Be brief.' });
  });

  test('concurrency bounds the calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const wrap = (m: LanguageModel): LanguageModel => ({
      ...m,
      provider: m.provider,
      modelId: m.modelId,
      capabilities: m.capabilities,
      async generate(req, opts) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 20));
          return await m.generate(req, opts);
        } finally {
          inFlight--;
        }
      },
      stream: (req, opts) => m.stream(req, opts),
    });
    const suite = suiteOf({ prompts: [{ template: 'n={{n}}' }], models: ['gpt-4o'], concurrency: 3, defaults: { assert: [{ type: 'contains', value: 'n=' }] }, cases: Array.from({ length: 9 }, (_, i) => ({ vars: { n: String(i) } })) });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url, { wrap }) });
    assert.equal(run.summary.passed, 9);
    assert.equal(peak, 3);
    const serial = await runSuite({ suite, resolver: fakeResolver(upstream.url, { wrap }), concurrency: 1 });
    assert.equal(serial.summary.passed, 9);
  });

  test('registry prompts by id@version render with their defaults', async () => {
    script.push({ kind: 'reply', text: '{"category": "BILLING", "priority": "P3", "reason": "double charge"}' });
    const suite = suiteOf({
      prompts: [{ ref: 'support/triage@1.0.0' }],
      models: ['gpt-4o-mini'],
      cases: [{ name: 'billing', vars: { ticket: 'I was charged twice' }, assert: [{ type: 'is-json', schema: { type: 'object', properties: { category: { enum: ['BILLING', 'BUG'] } }, required: ['category', 'priority', 'reason'] } }] }],
    });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url), prompts: createPromptRegistry({ root: join(import.meta.dirname, '../../../prompts') }) });
    assert.equal(run.results[0]?.prompt, 'support/triage@1.0.0');
    assert.equal(run.results[0]?.pass, true, JSON.stringify(run.results[0]?.assertions));
    const body = chatRequests().at(-1)?.body as { messages: { role: string; content: string }[] };
    assert.match(body.messages[0]?.content ?? '', /support triage specialist for Conduit Cloud/);
    assert.equal(lastUserText(body), 'I was charged twice');
  });

  test('tool-call case: tools are offered and the model’s calls are checked', async () => {
    script.push({ kind: 'reply', toolCalls: [{ id: 'c1', name: 'lookup_order', arguments: '{"order_id":"A-17","verbose":true}' }], finishReason: 'tool_calls' });
    const suite = suiteOf({
      prompts: [{ template: 'Where is order {{id}}?' }],
      models: ['gpt-4o-mini'],
      cases: [
        {
          vars: { id: 'A-17' },
          tools: [{ name: 'lookup_order', description: 'Finds an order', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } }],
          assert: [{ type: 'tool-call', name: 'lookup_order', arguments: { order_id: 'A-17' } }, { type: 'tool-call', name: 'cancel_order' }],
        },
      ],
    });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url) });
    const body = chatRequests().at(-1)?.body as { tools: { function: { name: string } }[] };
    assert.equal(body.tools[0]?.function.name, 'lookup_order');
    assert.deepEqual(
      run.results[0]?.assertions.map((a) => a.pass),
      [true, false],
    );
  });

  test('agent case: runs the loop with a built-in and a stub tool; trajectory is checked', async () => {
    script.push(
      { kind: 'reply', toolCalls: [{ id: 't1', name: 'kb_search', arguments: '{"q":"vat rate"}' }], finishReason: 'tool_calls' },
      { kind: 'reply', toolCalls: [{ id: 't2', name: 'calculator', arguments: '{"expression":"200*0.2"}' }], finishReason: 'tool_calls' },
      { kind: 'reply', text: 'The VAT is 40.' },
    );
    const suite = suiteOf({
      prompts: [{ template: 'VAT on {{amount}}?' }],
      models: ['gpt-4o-mini'],
      cases: [
        {
          name: 'vat',
          vars: { amount: '200' },
          tools: [{ name: 'kb_search', parameters: { type: 'object', properties: { q: { type: 'string' } } }, returns: 'The VAT rate is 20%.' }],
          agent: { tools: ['kb_search', 'calculator'], max_steps: 5 },
          assert: [
            { type: 'contains', value: '40' },
            { type: 'trajectory', order: ['kb_search', 'calculator'], max_steps: 3, status: 'completed' },
            { type: 'tool-call', name: 'calculator', arguments: { expression: '200*0.2' } },
            { type: 'trajectory', max_steps: 2, label: 'too strict' },
          ],
        },
      ],
    });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url) });
    const r = run.results[0];
    assert.deepEqual(r?.output.agent, { steps: 3, status: 'completed' });
    assert.deepEqual(
      r?.assertions.map((a) => [a.label, a.pass]),
      [
        ['contains "40"', true],
        ['trajectory: order kb_search → calculator, steps 0..3, status completed', true],
        ['tool calculator {"expression":"200*0.2"}', true],
        ['too strict', false],
      ],
    );
    // The calculator really ran: its result went back to the model.
    const last = chatRequests().at(-1)?.body as { messages: { role: string; content: string }[] };
    assert.ok(last.messages.some((m) => m.role === 'tool' && m.content.includes('40')));
  });

  test('a failed call is an error job: every assertion fails with the cause, nothing crashes', async () => {
    script.push({ kind: 'error', status: 400, message: 'bad request from test', type: 'invalid_request_error' });
    const suite = suiteOf({ prompts: [{ template: 'x' }], models: ['gpt-4o-mini'], cases: [{ assert: [{ type: 'not-contains', value: 'zzz' }] }] });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url) });
    assert.equal(run.summary.errors, 1);
    assert.equal(run.summary.failed, 0);
    assert.equal(run.results[0]?.pass, false);
    assert.match(run.results[0]?.assertions[0]?.reason ?? '', /^call failed: invalid_request: .*bad request from test/);
  });

  test('suite problems are found before any call: unknown model, missing variable, unknown agent tool', async () => {
    const base = { prompts: [{ template: 'Hi {{name}}' }], models: ['gpt-4o-mini'], cases: [{ vars: { name: 'x' }, assert: [{ type: 'contains', value: 'x' }] }] };
    const count = chatRequests().length;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...base, models: ['gpt-4o-mini', 'nope-9'] }, /^models\[1\]: Unknown model "nope-9"/],
      [{ ...base, cases: [{ vars: {}, assert: [{ type: 'contains', value: 'x' }] }] }, /^cases\[0\]: prompt prompt-1: .*required variable "name" is missing/],
      [{ ...base, cases: [{ vars: { name: 'x' }, agent: { tools: ['rm_rf'] }, assert: [{ type: 'contains', value: 'x' }] }] }, /cases\[0\]\.agent\.tools: unknown tool "rm_rf"/],
      [{ ...base, grader: 'nope-9' }, /^grader: Unknown model/],
    ];
    for (const [data, message] of bad) {
      await assert.rejects(runSuite({ suite: suiteOf(data), resolver: fakeResolver(upstream.url) }), (err: unknown) => isConduitError(err) && err.code === 'invalid_suite' && message.test(err.message));
    }
    assert.equal(chatRequests().length, count);
  });

  test('grader, case context and reference reach the assertions', async () => {
    script.push(
      { kind: 'reply', text: 'Refunds take 14 days.' },
      { kind: 'reply', text: JSON.stringify({ pass: true, score: 0.8, reason: 'On point.' }) },
    );
    const suite = suiteOf({
      prompts: [{ template: 'How long do refunds take?' }],
      models: ['gpt-4o-mini'],
      grader: 'gpt-4o',
      cases: [
        {
          context: ['Refunds take 14 days after we receive the return.'],
          assert: [
            { type: 'model-graded', rubric: 'States the refund delay.' },
            { type: 'faithfulness', method: 'lexical', threshold: 1 },
          ],
        },
      ],
    });
    const run = await runSuite({ suite, resolver: fakeResolver(upstream.url), concurrency: 1 });
    assert.deepEqual(
      run.results[0]?.assertions.map((a) => [a.type, a.pass]),
      [
        ['model-graded', true],
        ['faithfulness', true],
      ],
      JSON.stringify(run.results[0]?.assertions),
    );
    assert.equal((chatRequests().at(-1)?.body as { model: string }).model, 'gpt-4o', 'the suite grader graded');
  });

  test('cache: hits skip the model, --no-cache calls it, failed calls are not cached', async () => {
    const entries = new Map<string, EvalOutput>();
    const store: EvalResultStore = {
      getCached: (h) => Promise.resolve(entries.get(h)),
      putCached: (h, o) => Promise.resolve(void entries.set(h, o)),
      saveRun: () => Promise.resolve(),
      history: () => Promise.resolve([]),
      runResults: () => Promise.resolve([]),
    };
    const suite = suiteOf({ prompts: [{ template: 'cache {{k}}' }], models: ['gpt-4o-mini'], cases: [{ vars: { k: 'a' } }, { vars: { k: 'b' } }], defaults: { assert: [{ type: 'contains', value: 'cache' }] } });
    script.push({ kind: 'error', status: 400, message: 'nope' });
    const count = chatRequests().length;
    const first = await runSuite({ suite, resolver: fakeResolver(upstream.url), store, concurrency: 1 });
    assert.deepEqual([first.summary.errors, first.summary.passed, entries.size], [1, 1, 1]);
    const second = await runSuite({ suite, resolver: fakeResolver(upstream.url), store, concurrency: 1 });
    assert.deepEqual([second.summary.passed, second.summary.cached], [2, 1]);
    assert.equal(chatRequests().length - count, 3, 'only the case that failed before was called again');
    const fresh = await runSuite({ suite, resolver: fakeResolver(upstream.url), store, cache: false });
    assert.equal(fresh.summary.cached, 0);
    assert.equal(chatRequests().length - count, 5);
  });
});

describe('input hash', () => {
  const base = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi Ada' }], options: { temperature: 0 }, repeat: 0 };
  test('depends on model, rendered prompt, options, tools and repeat; not on key order', () => {
    const h = inputHash(base);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(inputHash({ repeat: 0, options: { temperature: 0 }, messages: [{ content: 'hi Ada', role: 'user' }], model: 'gpt-4o-mini' }), h);
    for (const changed of [
      { ...base, model: 'gpt-4o' },
      { ...base, messages: [{ role: 'user' as const, content: 'hi Bob' }] },
      { ...base, options: { temperature: 0.5 } },
      { ...base, repeat: 1 },
      { ...base, tools: [{ name: 't', parameters: {} }] },
    ]) {
      assert.notEqual(inputHash(changed), h, JSON.stringify(changed));
    }
  });
});
