/** The consensus rule: most votes; ties by total confidence; then the coordinator's choice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideConsensus, type CastVote } from '../../../src/agents/multi/consensus.js';

const vote = (agent: string, option: string, confidence: number): CastVote => ({ agent, option, confidence, reasons: [`${agent} likes ${option}`] });
const OPTIONS = ['postgres', 'sqlite', 'redis'];
const PEOPLE = ['a', 'b', 'c', 'd'];

test('the option with the most votes wins', () => {
  const d = decideConsensus(OPTIONS, PEOPLE, [vote('a', 'sqlite', 0.2), vote('b', 'sqlite', 0.3), vote('c', 'postgres', 1)]);
  assert.equal(d.decision, 'sqlite');
  assert.equal(d.decidedBy, 'votes');
  assert.deepEqual(d.abstained, ['d']);
  assert.deepEqual(
    d.tally.map((t) => [t.option, t.votes]),
    [
      ['postgres', 1],
      ['sqlite', 2],
      ['redis', 0],
    ],
  );
});

test('a tie on votes goes to the higher total confidence', () => {
  const d = decideConsensus(OPTIONS, PEOPLE, [vote('a', 'postgres', 0.9), vote('b', 'sqlite', 0.6), vote('c', 'postgres', 0.4), vote('d', 'sqlite', 0.8)]);
  assert.equal(d.decision, 'sqlite');
  assert.equal(d.decidedBy, 'confidence');
  assert.ok(Math.abs((d.tally.find((t) => t.option === 'sqlite')?.confidence ?? 0) - 1.4) < 1e-9);
});

test('a tie on votes and confidence is the coordinator’s call: tie-breaker, else the first listed option', () => {
  const votes = [vote('a', 'redis', 0.1), vote('b', 'redis', 0.2), vote('c', 'sqlite', 0.3), vote('d', 'sqlite', 0)];
  const byOrder = decideConsensus(OPTIONS, PEOPLE, votes);
  assert.equal(byOrder.decidedBy, 'coordinator');
  assert.equal(byOrder.decision, 'sqlite'); // listed before redis
  const chosen = decideConsensus(OPTIONS, PEOPLE, votes, (tied) => {
    assert.deepEqual(tied, ['sqlite', 'redis']);
    return 'redis';
  });
  assert.equal(chosen.decision, 'redis');
  // A tie-breaker that answers something else cannot smuggle in an option.
  assert.equal(decideConsensus(OPTIONS, PEOPLE, votes, () => 'postgres').decision, 'sqlite');
});

test('only participants, valid options and first votes count; no votes, no decision', () => {
  const d = decideConsensus(OPTIONS, ['a', 'b'], [vote('a', 'redis', 1), vote('a', 'sqlite', 1), vote('x', 'sqlite', 1), vote('b', 'mongo', 1)]);
  assert.equal(d.decision, 'redis');
  assert.deepEqual(
    d.rejected.map((r) => [r.agent, r.reason]),
    [
      ['a', 'already voted'],
      ['x', 'not a participant'],
      ['b', 'not one of the options'],
    ],
  );
  assert.deepEqual(d.abstained, ['b']);
  const none = decideConsensus(OPTIONS, ['a'], []);
  assert.equal(none.decision, undefined);
  assert.equal(none.decidedBy, 'no_votes');
});
