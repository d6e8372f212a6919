import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentText, type Message } from '../../src/core/messages.js';
import { countMessageTokens } from '../../src/models/tokenizer/index.js';
import { buildConversation, summarizeSteps, type HistoryTurn } from '../../src/solve/step-history.js';
import type { ReasoningStep } from '../../src/solve/reasoning-step.js';

const count = (messages: Message[]): number => countMessageTokens('openai', 'gpt-4o-mini', messages);

function turn(i: number): HistoryTurn {
  const step: ReasoningStep = { step_type: 'calculate', thought: `Thinking about part ${i} of the problem in some detail, `.repeat(4), action: `${i} * 2`, result: String(i * 2), next_step_needed: true };
  return { step, followUp: `Calculator: ${i} * 2 = ${i * 2}. Next step.` };
}

describe('step history summarisation', () => {
  const problem = 'Problem: If I invest $1000 at 5% compounded monthly for 2 years, how much will I have?';

  test('under the limit nothing is summarised', () => {
    const w = buildConversation({ system: 'sys', problem, turns: [turn(1), turn(2)], limitTokens: 10_000, countTokens: count });
    assert.equal(w.summarisedSteps, 0);
    assert.equal(w.messages.length, 2 + 2 * 2);
  });

  test('over the limit the oldest steps become one summary, and the problem is kept verbatim', () => {
    const turns = Array.from({ length: 8 }, (_, i) => turn(i + 1));
    const full = buildConversation({ system: 'sys', problem, turns, limitTokens: 1_000_000, countTokens: count });
    const limit = Math.floor(full.tokens / 2);
    const w = buildConversation({ system: 'sys', problem, turns, limitTokens: limit, countTokens: count });
    assert.ok(w.summarisedSteps > 0 && w.summarisedSteps < turns.length, `summarised ${w.summarisedSteps}`);
    assert.ok(w.tokens <= limit, `${w.tokens} <= ${limit}`);
    assert.deepEqual(w.messages[0], { role: 'system', content: 'sys' });
    assert.deepEqual(w.messages[1], { role: 'user', content: problem });
    const summary = contentText(w.messages[2]?.content as string);
    assert.match(summary, /^Summary of steps 1–/);
    assert.match(summary, /1\. CALCULATE: 1 \* 2 → 2/);
    // The kept turns follow the summary in full, newest last.
    const last = w.messages.at(-2);
    assert.equal(last?.role, 'assistant');
    assert.deepEqual(JSON.parse(last?.content as string), turns[7]!.step);
  });

  test('even a tiny limit keeps the system prompt, the problem and the newest step', () => {
    const turns = Array.from({ length: 5 }, (_, i) => turn(i + 1));
    const w = buildConversation({ system: 'sys', problem, turns, limitTokens: 10, countTokens: count });
    assert.equal(w.summarisedSteps, 4);
    assert.equal(w.messages[1]?.content, problem);
    assert.deepEqual(JSON.parse(w.messages.at(-2)?.content as string), turns[4]!.step);
  });

  test('the summary is deterministic and clips long fields', () => {
    const long: ReasoningStep = { step_type: 'analyze', thought: 't', action: 'x'.repeat(500), result: 'r', next_step_needed: true };
    const a = summarizeSteps([long]);
    assert.equal(a, summarizeSteps([long]));
    assert.ok(a.length < 400);
    assert.match(a, /…/);
  });
});
