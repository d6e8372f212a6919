import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { contentText } from '../../../src/core/messages.js';
import { reflect } from '../../../src/agents/reflection/reflect.js';
import { reply, ScriptedModel } from '../../support/scripted-model.js';

const critique = (score: number, critiqueText = `scored ${score}`, improvements: string[] = []) => reply(JSON.stringify({ score, critique: critiqueText, improvements }));

describe('reflect', () => {
  test('stops as soon as the critic reaches the threshold; the generator revises with the critique', async () => {
    const generator = new ScriptedModel({ provider: 'openai', modelId: 'gen', script: [reply('draft one'), reply('draft two')] });
    const critic = new ScriptedModel({ provider: 'openai', modelId: 'critic', script: [critique(5, 'too vague', ['add numbers']), critique(8, 'good')] });
    const result = await reflect({ task: 'Explain rate limiting.', generator, critic });
    assert.equal(result.stoppedBecause, 'threshold');
    assert.deepEqual(result.rounds.map((r) => [r.round, r.output, r.score]), [[1, 'draft one', 5], [2, 'draft two', 8]]);
    assert.equal(result.output, 'draft two');
    assert.equal(result.improved, true);
    assert.equal(generator.callCount, 2, 'no third round after the threshold');
    // The second generation saw the first draft and the critique.
    const revision = generator.calls[1]!.request.messages.map((m) => contentText(m.content as string)).join('\n');
    assert.match(revision, /draft one/);
    assert.match(revision, /too vague/);
    assert.match(revision, /- add numbers/);
    // The critic saw the task and the draft it scored.
    assert.match(critic.calls[0]!.request.messages.map((m) => contentText(m.content as string)).join('\n'), /Explain rate limiting\.[\s\S]*draft one/);
  });

  test('at most 3 rounds; the best-scored output wins when none reaches the threshold', async () => {
    const generator = new ScriptedModel({ provider: 'openai', script: [reply('v1'), reply('v2'), reply('v3'), reply('v4')] });
    const critic = new ScriptedModel({ provider: 'openai', script: [critique(4), critique(7), critique(6), critique(9)] });
    const result = await reflect({ task: 't', generator, critic });
    assert.equal(result.stoppedBecause, 'max_rounds');
    assert.equal(result.rounds.length, 3);
    assert.equal(generator.callCount, 3);
    assert.equal(result.output, 'v2');
    assert.equal(result.score, 7);
    assert.equal(result.improved, true);
  });

  test('the same model can generate and critique; the threshold is configurable', async () => {
    const model = new ScriptedModel({ provider: 'openai', script: [reply('answer'), critique(6)] });
    const result = await reflect({ task: 't', generator: model, threshold: 6 });
    assert.equal(result.stoppedBecause, 'threshold');
    assert.equal(model.callCount, 2);
    assert.equal(result.rounds.length, 1);
  });

  test('rounds beyond 3 and thresholds outside 0-10 are refused without calling a model', async () => {
    const model = new ScriptedModel({ provider: 'openai' });
    await assert.rejects(reflect({ task: 't', generator: model, maxRounds: 4 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_rounds');
    await assert.rejects(reflect({ task: 't', generator: model, threshold: 11 }), (e: unknown) => e instanceof ConduitError && e.code === 'invalid_threshold');
    assert.equal(model.callCount, 0);
  });
});
