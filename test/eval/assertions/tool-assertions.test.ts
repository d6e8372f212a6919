import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ToolCall } from '../../../src/core/messages.js';
import { assertion, ctx, out } from './fixtures.js';

const call = (name: string, args: Record<string, unknown>, id = name): ToolCall => ({ id, name, arguments: JSON.stringify(args) });
const calls = [call('search', { query: 'refund policy', filters: { lang: 'en', top: 3 } }), call('calculator', { expression: '2+2' }), call('send_email', { to: 'a@b.c' })];

describe('tool-call', () => {
  test('tool used: passes when called, fails when not', async () => {
    assert.equal((await assertion({ type: 'tool-call', name: 'calculator' }).evaluate(out('', { toolCalls: calls }), ctx())).pass, true);
    const r = await assertion({ type: 'tool-call', name: 'weather' }).evaluate(out('', { toolCalls: calls }), ctx());
    assert.equal(r.pass, false);
    assert.match(r.reason, /tool weather was not called \(calls: search, calculator, send_email\)/);
  });

  test('arguments match as a deep subset; a different value fails', async () => {
    const ok = assertion({ type: 'tool-call', name: 'search', arguments: { query: 'refund policy', filters: { lang: 'en' } } });
    assert.equal((await ok.evaluate(out('', { toolCalls: calls }), ctx())).pass, true);
    const wrong = assertion({ type: 'tool-call', name: 'search', arguments: { filters: { lang: 'fr' } } });
    const r = await wrong.evaluate(out('', { toolCalls: calls }), ctx());
    assert.equal(r.pass, false);
    assert.match(r.reason, /no search call had arguments containing/);
  });

  test('order is a subsequence; the reverse order fails; none: true', async () => {
    assert.equal((await assertion({ type: 'tool-call', order: ['search', 'send_email'] }).evaluate(out('', { toolCalls: calls }), ctx())).pass, true);
    assert.equal((await assertion({ type: 'tool-call', order: ['send_email', 'search'] }).evaluate(out('', { toolCalls: calls }), ctx())).pass, false);
    assert.equal((await assertion({ type: 'tool-call', none: true }).evaluate(out('plain answer'), ctx())).pass, true);
    assert.equal((await assertion({ type: 'tool-call', none: true }).evaluate(out('', { toolCalls: calls }), ctx())).pass, false);
  });
});

describe('trajectory', () => {
  const agentOut = out('4', { toolCalls: calls, agent: { steps: 4, status: 'completed' } });

  test('tools used, order, step bounds and status pass when met', async () => {
    const a = assertion({ type: 'trajectory', tools: ['search', 'calculator'], order: ['search', 'calculator'], min_steps: 2, max_steps: 4, status: 'completed' });
    const r = await a.evaluate(agentOut, ctx());
    assert.equal(r.pass, true, r.reason);
  });

  test('each violated condition fails and is named', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ tools: ['weather'] }, /weather not used/],
      [{ order: ['calculator', 'search'] }, /order calculator → search not followed/],
      [{ max_steps: 3 }, /more than 3 steps/],
      [{ min_steps: 5 }, /fewer than 5 steps/],
      [{ status: 'max_steps' }, /status completed, expected max_steps/],
    ];
    for (const [spec, reason] of cases) {
      const r = await assertion({ type: 'trajectory', ...spec }).evaluate(agentOut, ctx());
      assert.equal(r.pass, false, JSON.stringify(spec));
      assert.match(r.reason, reason);
    }
  });

  test('a case that ran no agent fails the check', async () => {
    const r = await assertion({ type: 'trajectory', max_steps: 3 }).evaluate(out('x'), ctx());
    assert.equal(r.pass, false);
    assert.match(r.reason, /did not run an agent/);
  });
});
