/** The assignment score: capability fit discounted by load, deterministic ties, load spread within a batch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignTasks, rankAgents, scoreAgent, type AgentProfile } from '../../../src/agents/multi/assignment.js';

const agent = (name: string, capabilities: string[], activeTasks = 0, capacity = 1, status: AgentProfile['status'] = 'available'): AgentProfile => ({
  name,
  capabilities,
  activeTasks,
  capacity,
  status,
});

test('score = fit − 0.5 × load, with fit the share of required capabilities covered', () => {
  const s = scoreAgent(agent('a', ['research', 'writing'], 1, 2), { id: 't', requiredCapabilities: ['research', 'analysis'] });
  assert.deepEqual(s, { agent: 'a', fit: 0.5, load: 0.5, score: 0.25 });
  assert.equal(scoreAgent(agent('b', []), { id: 't', requiredCapabilities: [] }).fit, 1);
  assert.equal(scoreAgent(agent('c', ['x'], 3, 2), { id: 't', requiredCapabilities: ['x'] }, 1).score, 1 - 1.5);
});

test('the best capability fit wins; agents without any required capability or offline are not eligible', () => {
  const agents = [agent('writer', ['writing']), agent('researcher', ['research', 'fact_checking']), agent('generalist', ['research']), agent('ghost', ['research', 'fact_checking'], 0, 1, 'offline')];
  const ranked = rankAgents(agents, { id: 't', requiredCapabilities: ['research', 'fact_checking'] });
  assert.deepEqual(
    ranked.map((r) => [r.agent, r.score]),
    [
      ['researcher', 1],
      ['generalist', 0.5],
    ],
  );
  assert.deepEqual(rankAgents(agents, { id: 't', requiredCapabilities: ['cooking'] }), []);
});

test('load discounts: between equally able agents the less loaded one wins; a better fit beats moderate load', () => {
  const busy = agent('busy', ['analysis'], 2, 2);
  const idle = agent('idle', ['analysis'], 0, 2);
  assert.equal(rankAgents([busy, idle], { id: 't', requiredCapabilities: ['analysis'] })[0]?.agent, 'idle');

  // Full fit at half load (1 − 0.25 = 0.75) beats half fit idle (0.5).
  const expert = agent('expert', ['analysis', 'statistics'], 1, 2);
  const novice = agent('novice', ['analysis'], 0, 2);
  assert.equal(rankAgents([novice, expert], { id: 't', requiredCapabilities: ['analysis', 'statistics'] })[0]?.agent, 'expert');
  // Overloaded (load 2: 1 − 1 = 0) it loses to the idle half fit.
  const swamped = agent('expert', ['analysis', 'statistics'], 4, 2);
  assert.equal(rankAgents([novice, swamped], { id: 't', requiredCapabilities: ['analysis', 'statistics'] })[0]?.agent, 'novice');
});

test('ties: higher fit, then lower load, then name', () => {
  // Both score 0.5: full fit at load 1 versus half fit idle; the better fit wins.
  const loadedExpert = agent('z-expert', ['a', 'b'], 1, 1);
  const idleHalf = agent('a-half', ['a'], 0, 1);
  assert.equal(rankAgents([idleHalf, loadedExpert], { id: 't', requiredCapabilities: ['a', 'b'] })[0]?.agent, 'z-expert');
  // Same fit and load: alphabetical.
  assert.deepEqual(
    rankAgents([agent('bob', ['a']), agent('alice', ['a'])], { id: 't', requiredCapabilities: ['a'] }).map((r) => r.agent),
    ['alice', 'bob'],
  );
});

test('a batch spreads over equally able agents as each assignment adds load', () => {
  const agents = [agent('w1', ['write']), agent('w2', ['write']), agent('w3', ['write'], 1, 1)];
  const tasks = [1, 2, 3, 4].map((i) => ({ id: `t${i}`, requiredCapabilities: ['write'] }));
  const assignments = assignTasks(agents, tasks);
  assert.deepEqual(
    assignments.map((a) => a.agent),
    ['w1', 'w2', 'w1', 'w2'],
  );
  // The input profiles are untouched.
  assert.equal(agents[0]?.activeTasks, 0);
  assert.equal(assignTasks(agents, [{ id: 'x', requiredCapabilities: ['paint'] }])[0]?.agent, undefined);
});
