/**
 * `conduit solve` end to end: scripted models served over HTTP by the fake OpenAI upstream,
 * called through the real openai provider, structured output, retry and the calculator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LanguageModel } from '../../src/models/language-model.js';
import { costMiddleware } from '../../src/middleware/cost.js';
import { createPriceTable } from '../../src/models/pricing/price-table.js';
import { wrapLanguageModel } from '../../src/models/wrap-language-model.js';
import { createOfflineModel, OFFLINE_MESSAGE } from '../../src/models/providers/offline/index.js';
import { createOpenAIModel } from '../../src/models/providers/openai/index.js';
import { runSolveCommand, type SolveCommandArgs } from '../../src/solve/index.js';
import type { ReasoningStep } from '../../src/solve/reasoning-step.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fake-upstream/openai-upstream.js';
import type { RecordedRequest, ReplyScenario, Scenario } from '../fake-upstream/scenario.js';

const PROBLEM = 'If I invest $1000 at 5% annual interest compounded monthly for 2 years, how much will I have?';

function step(step_type: ReasoningStep['step_type'], thought: string, action: string, result: string, next_step_needed = step_type !== 'final_answer'): ReasoningStep {
  return { step_type, thought, action, result, next_step_needed };
}

function reply(value: ReasoningStep | string, inputTokens: number, outputTokens: number): ReplyScenario {
  return { kind: 'reply', text: typeof value === 'string' ? value : JSON.stringify(value), usage: { inputTokens, outputTokens } };
}

/** The compound-interest run with the guide's wrong arithmetic (1104.90) in the calculate step. */
const COMPOUND_STEPS = {
  analyze: step('analyze', 'Compound interest: A = P(1 + r/n)^(nt)', 'Identify variables: P=1000, r=0.05, n=12, t=2', 'Variables identified'),
  calculate: step('calculate', 'Apply the formula with nt = 24 periods', '1000*(1+0.05/12)^24', '1104.90'),
  final: step('final_answer', 'The calculator gives 1104.94', 'Round to cents', '$1,104.94'),
};

interface Captured {
  stdout: string;
  stderr: string;
  code: number;
}

let fake: FakeOpenAI;
let model: LanguageModel;

before(async () => {
  fake = await startFakeOpenAI();
  model = createOpenAIModel({ baseURL: fake.url, apiKey: 'sk-test', modelId: 'gpt-4o-mini' });
});
after(async () => {
  await fake.close();
});

/** Runs the command against the shared fake with these scenarios queued; returns output and the requests it made. */
async function solve(scenarios: Scenario[], args: Partial<SolveCommandArgs> = {}): Promise<Captured & { requests: RecordedRequest[] }> {
  const first = fake.requests.length;
  for (const s of scenarios) fake.enqueue(s);
  let stdout = '';
  let stderr = '';
  const code = await runSolveCommand({
    problem: PROBLEM,
    model,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    stdout: { write: (s) => (stdout += s) },
    stderr: { write: (s) => (stderr += s) },
    ...args,
  });
  return { stdout, stderr, code, requests: fake.requests.slice(first).filter((r) => r.path.endsWith('/chat/completions')) };
}

interface WireMessage {
  role: string;
  content: string;
}

function messagesOf(request: RecordedRequest | undefined): WireMessage[] {
  const body = request?.body as { messages?: WireMessage[] } | undefined;
  assert.ok(body?.messages, 'request has messages');
  return body.messages;
}

describe('conduit solve', () => {
  test('a normal 3-step run ends in final_answer with tokens summed over every call', async () => {
    const r = await solve([reply(COMPOUND_STEPS.analyze, 120, 40), reply(step('verify', 'Compounding beats 1100 simple interest', 'Compare with 1000*(1+0.05*2)', 'Plausible'), 180, 35), reply(COMPOUND_STEPS.final, 240, 30)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.requests.length, 3);
    assert.match(r.stdout, /🔍 Step 1: ANALYZE\n {3}Thought: Compound interest/);
    assert.match(r.stdout, /✅ Step 2: VERIFY/);
    assert.match(r.stdout, /🎯 Step 3: FINAL_ANSWER/);
    assert.match(r.stdout, /📊 Final Answer: \$1,104\.94/);
    const total = 120 + 40 + 180 + 35 + 240 + 30;
    assert.match(r.stdout, new RegExp(`📈 Tokens Used: ${total.toLocaleString('en-US')} \\(input 540, output 105\\) over 3 calls`));
    assert.match(r.stdout, /🔄 Iterations: 3\n/);
    // Each request carries the problem and the previous steps, the structured-output schema included.
    const third = messagesOf(r.requests[2]);
    assert.equal(third[1]?.content, `Problem: ${PROBLEM}`);
    assert.equal(third.filter((m) => m.role === 'assistant').length, 2);
    const body = r.requests[0]?.body as { response_format?: { type?: string } };
    assert.equal(body.response_format?.type, 'json_schema');
  });

  test('broken JSON first, valid JSON second: the second request carries the error, and the repair is counted', async () => {
    const broken = '{"step_type": "final_answer", "thought": "done", "action": ';
    const r = await solve([reply(broken, 100, 10), reply(COMPOUND_STEPS.final, 150, 20)], { json: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.requests.length, 2);
    const second = messagesOf(r.requests[1]);
    assert.equal(second.at(-2)?.role, 'assistant');
    assert.equal(second.at(-2)?.content, broken);
    assert.match(second.at(-1)?.content ?? '', /not valid JSON/);
    const out = JSON.parse(r.stdout) as { finalAnswer: string; calls: number; iterations: number; usage: { totalTokens: number }; corrections: { attempt: number; error: string }[]; steps: { attempts: number }[] };
    assert.equal(out.finalAnswer, '$1,104.94');
    assert.equal(out.iterations, 1);
    assert.equal(out.calls, 2);
    assert.equal(out.usage.totalTokens, 100 + 10 + 150 + 20, 'the failed attempt\'s tokens count too');
    assert.equal(out.corrections.length, 1);
    assert.equal(out.corrections[0]?.attempt, 1);
    assert.equal(out.steps[0]?.attempts, 2);
  });

  test('schema violations go back to the model too (wrong step_type)', async () => {
    const invalid = JSON.stringify({ ...COMPOUND_STEPS.final, step_type: 'conclude' });
    const r = await solve([reply(invalid, 50, 10), reply(COMPOUND_STEPS.final, 60, 10)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(messagesOf(r.requests[1]).at(-1)?.content ?? '', /failed validation:\n- step_type:/);
    assert.match(r.stdout, /↺ Attempt 1 of step 1 was not a valid step \(step_type:/);
  });

  test('a model that never complies: non-zero exit, a clear message, every attempt counted', async () => {
    const prose = 'Sure! The answer is about $1,105.';
    const r = await solve([reply(prose, 70, 9), reply(prose, 80, 9), reply(prose, 90, 9)]);
    assert.equal(r.code, 1);
    assert.equal(r.requests.length, 3);
    assert.match(r.stderr, /💥 Fatal error: Step 1: the model did not produce a valid step in 3 attempt\(s\)/);
    assert.match(r.stdout, /📈 Tokens Used: 267 \(input 240, output 27\) over 3 calls/);
    assert.match(r.stdout, /🔄 Iterations: 0 \(3 corrections\)/);
    assert.match(r.stdout, /↺ Attempt 2 of step 1 .*sent back to the model/);
    assert.match(r.stdout, /✗ Attempt 3 of step 1 .*no attempts left/);
  });

  test('wrong arithmetic: the calculator\'s 1104.94 replaces the model\'s 1104.90, and both are shown', async () => {
    const r = await solve([reply(COMPOUND_STEPS.analyze, 100, 30), reply(COMPOUND_STEPS.calculate, 150, 30), reply(COMPOUND_STEPS.final, 200, 20)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /🧮 Step 2: CALCULATE\n {3}Thought: .*\n {3}Action: {2}1000\*\(1\+0\.05\/12\)\^24\n {3}Result: {2}1104\.9413355583 {2}\(calculator: 1000\*\(1\+0\.05\/12\)\^24\)\n {3}⚠️ {2}Model said 1104\.90 — replaced by the calculator's value/);
    // The model continues from the calculator's value, and is told its own was wrong.
    const third = messagesOf(r.requests[2]);
    const calcStep = JSON.parse(third.at(-2)?.content ?? '{}') as ReasoningStep;
    assert.equal(calcStep.result, '1104.9413355583');
    assert.match(third.at(-1)?.content ?? '', /your result "1104\.90" was wrong/);
  });

  test('a calculator error goes back to the model as the step result and does not end the run', async () => {
    const byZero = step('calculate', 'Divide', '100 / (5 - 5)', '0', false);
    const r = await solve([reply(byZero, 10, 10), reply(step('calculate', 'Retry', '100 / 5', '20'), 10, 10), reply(step('final_answer', 'ok', 'done', '20'), 10, 10)], { json: true });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { steps: { result: string; calculator?: { error?: string; agrees: boolean } }[] };
    assert.match(out.steps[0]?.result ?? '', /^Calculator error: division by zero/);
    assert.equal(out.steps[1]?.calculator?.agrees, true);
    assert.match(messagesOf(r.requests[1]).at(-1)?.content ?? '', /could not evaluate your action: division by zero/);
  });

  test('cost, when the model is priced, is summed over every call (repairs included)', async () => {
    const priced = wrapLanguageModel(model, costMiddleware(createPriceTable()));
    const r = await solve([reply('not json', 1000, 100), reply(COMPOUND_STEPS.final, 2000, 200)], { model: priced, json: true });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { costUsd: number | null };
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output.
    const expected = (3000 * 0.15 + 300 * 0.6) / 1e6;
    assert.ok(out.costUsd !== null && Math.abs(out.costUsd - expected) < 1e-12, `cost ${String(out.costUsd)} vs ${expected}`);
  });

  test('--json prints the whole run as one JSON object', async () => {
    const r = await solve([reply(COMPOUND_STEPS.analyze, 11, 1), reply(COMPOUND_STEPS.calculate, 12, 2), reply(COMPOUND_STEPS.final, 13, 3)], { json: true });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ['problem', 'status', 'finalAnswer', 'steps', 'iterations', 'calls', 'usage', 'costUsd', 'corrections', 'summarisedSteps', 'provider', 'model']) assert.ok(key in out, key);
    assert.equal(out.status, 'solved');
    assert.equal(out.iterations, 3);
    assert.equal(out.costUsd, null, 'the bare provider reports no price: unknown, not 0');
    assert.deepEqual(out.usage, { inputTokens: 36, outputTokens: 6, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 42 });
    const steps = out.steps as { step_type: string; modelResult: string; result: string }[];
    assert.deepEqual(steps.map((s) => s.step_type), ['analyze', 'calculate', 'final_answer']);
    assert.equal(steps[1]?.modelResult, '1104.90');
    assert.equal(steps[1]?.result, '1104.9413355583');
  });

  test('max steps reached: a clear message and a non-zero exit', async () => {
    const r = await solve([reply(COMPOUND_STEPS.analyze, 5, 5), reply(COMPOUND_STEPS.analyze, 5, 5)], { maxSteps: 2 });
    assert.equal(r.code, 1);
    assert.equal(r.requests.length, 2);
    assert.match(r.stderr, /⛔ No final answer within 2 step\(s\) \(--max-steps 2\)/);
    assert.match(r.stdout, /🔄 Iterations: 2/);
  });

  test('next_step_needed=false ends the run even without final_answer', async () => {
    const r = await solve([reply(step('verify', 'checked', 'compare', '1104.94', false), 5, 5)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.requests.length, 1);
    assert.match(r.stdout, /📊 Final Answer: 1104\.94/);
  });

  test('provider errors are retried; a fatal one exits non-zero with the reason', async () => {
    const retried = await solve([{ kind: 'error', status: 500, message: 'upstream hiccup', type: 'server_error' }, reply(COMPOUND_STEPS.final, 10, 5)]);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(retried.requests.length, 2);

    const fatal = await solve([{ kind: 'error', status: 401, message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' }]);
    assert.equal(fatal.code, 1);
    assert.equal(fatal.requests.length, 1, 'authentication errors are not retried');
    assert.match(fatal.stderr, /💥 Fatal error: Step 1: .*Incorrect API key provided/);
  });

  test('history past the limit is summarised and the problem is kept', async () => {
    const long = (i: number): ReasoningStep => step('analyze', `Consideration ${i}: ${'the interest compounds every month, so '.repeat(6)}`, `note ${i}`, `fact ${i}`);
    const r = await solve([reply(long(1), 1, 1), reply(long(2), 1, 1), reply(long(3), 1, 1), reply(long(4), 1, 1), reply(COMPOUND_STEPS.final, 1, 1)], { historyLimitTokens: 400 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /📝 History over its limit: steps 1–\d+ condensed/);
    const last = messagesOf(r.requests[4]);
    assert.equal(last[1]?.content, `Problem: ${PROBLEM}`);
    assert.match(last[2]?.content ?? '', /^Summary of steps 1–\d+ .*\n1\. ANALYZE: note 1 → fact 1/);
    assert.ok(last.length < 2 + 4 * 2, `fewer messages than the full history (${last.length})`);
  });

  test('--stream prints partial steps as they arrive, and a repair streams anew', async () => {
    const r = await solve([reply('{"step_type": "analyze", "thought": "half', 5, 5), reply(COMPOUND_STEPS.calculate, 5, 5), reply(COMPOUND_STEPS.final, 5, 5)], { stream: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.requests[0]?.body as { stream?: boolean }).stream, true);
    assert.match(r.stdout, /🔍 Step 1: ANALYZE\n {3}Thought: half\n {3}↺ Attempt 1 of step 1 was not a valid step/);
    assert.match(r.stdout, /🧮 Step 1: CALCULATE\n {3}Thought: Apply the formula with nt = 24 periods\n {3}Action: {2}1000\*\(1\+0\.05\/12\)\^24\n {3}Result: {2}1104\.90\n {3}↳ Result: 1104\.9413355583/);
    assert.match(r.stdout, /📊 Final Answer: \$1,104\.94/);
  });

  test('no model configured: says so and how to configure one, exits 1 without calling a model', async () => {
    const offline = createOfflineModel();
    let calls = 0;
    const counting: LanguageModel = {
      ...offline,
      provider: offline.provider,
      modelId: offline.modelId,
      capabilities: offline.capabilities,
      generate: (req, opts) => {
        calls++;
        return offline.generate(req, opts);
      },
      stream: (req, opts) => {
        calls++;
        return offline.stream(req, opts);
      },
    };
    let stdout = '';
    let stderr = '';
    const code = await runSolveCommand({ problem: PROBLEM, model: counting, stdout: { write: (s) => (stdout += s) }, stderr: { write: (s) => (stderr += s) } });
    assert.equal(code, 1);
    assert.equal(calls, 0);
    assert.equal(stdout, '');
    assert.ok(stderr.includes(OFFLINE_MESSAGE), stderr);
    assert.match(stderr, /needs a language model, and none is configured/);
  });

  test('an empty problem is a usage error (exit 2)', async () => {
    const r = await solve([], { problem: '   ' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage: conduit solve "<problem>"/);
    assert.equal(r.requests.length, 0);
  });

  test('transcript of a full run', async (t) => {
    const r = await solve([
      reply(COMPOUND_STEPS.analyze, 412, 61),
      reply(step('calculate', 'Periodic rate r/n', '1 + 0.05/12', '1.004167'), 498, 52),
      reply(step('calculate', 'Number of periods n*t', '12 × 2', '24'), 571, 48),
      reply(COMPOUND_STEPS.calculate, 640, 55),
      reply(step('verify', 'Compounding must beat simple interest', '1000 * (1 + 0.05*2)', '1100 < 1104.94, consistent'), 712, 58),
      reply(COMPOUND_STEPS.final, 790, 44),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /📊 Final Answer: \$1,104\.94/);
    for (const line of `$ conduit solve "${PROBLEM}"\n${r.stdout}`.split('\n')) t.diagnostic(line);
  });
});
