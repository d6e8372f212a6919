import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelRequest } from '../../src/models/language-model.js';
import { parseScore, parseThoughts, treeOfThought } from '../../src/reasoning/tree-of-thought.js';
import { FunctionModel, lastUserText } from './function-model.js';

/**
 * A scripted proposer/scorer: the proposer names the children of step X "X1", "X2", "X3" (root:
 * "A", "B", "C"); the scorer answers from a table keyed by the candidate step.
 */
function scriptedSearchModel(scores: Record<string, string>): FunctionModel {
  return new FunctionModel((request: ModelRequest) => {
    const text = lastUserText(request);
    const candidate = /Candidate step: (.*)$/m.exec(text)?.[1];
    if (candidate !== undefined) return scores[candidate] ?? 'no idea';
    const steps = [...text.matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]!);
    const last = steps.at(-1);
    const names = last === undefined ? ['A', 'B', 'C'] : [1, 2, 3].map((i) => `${last}${i}`);
    return names.map((n, i) => `${i + 1}. ${n}`).join('\n');
  });
}

const thoughtsOf = (nodes: readonly { thought: string }[]): string[] => nodes.map((n) => n.thought);

describe('treeOfThought', () => {
  test('k=3, b=2, depth 2: expands the best two of three, explores 1+3+6 nodes, returns the best path', async () => {
    const model = scriptedSearchModel({
      A: 'Score: 7', B: 'Score: 9 — promising', C: '3/10',
      B1: 'Score: 5', B2: 'score = 8', B3: '2',
      A1: 'Score: 6', A2: 'Score: 4', A3: '**Score:** 9',
    });
    const out = await treeOfThought({ model, problem: 'make 24', thoughtsPerNode: 3, beamWidth: 2, maxDepth: 2 });
    assert.equal(out.stopReason, 'max-depth');
    assert.equal(out.tree.length, 10);
    assert.equal(model.callCount, 12, '3 propose calls + 9 evaluate calls');
    assert.equal(out.calls, 12);
    // Beam order: B (9) is expanded before A (7); C (3) is pruned.
    assert.deepEqual(thoughtsOf(out.tree), ['', 'A', 'B', 'C', 'B1', 'B2', 'B3', 'A1', 'A2', 'A3']);
    assert.equal(out.tree.filter((n) => n.parentId === 3).length, 0, 'C was never expanded');
    assert.deepEqual(out.tree.map((n) => n.depth), [0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    assert.deepEqual(out.tree.slice(4).map((n) => n.parentId), [2, 2, 2, 1, 1, 1]);
    assert.deepEqual(out.tree.map((n) => n.score), [null, 7, 9, 3, 5, 8, 2, 6, 4, 9]);
    assert.deepEqual(thoughtsOf(out.bestPath), ['', 'A', 'A3']);
    assert.equal(out.solution, undefined);
    // The scorer sees the path so far: A3's evaluation prompt carried step "A".
    const a3Prompt = model.requests.map(lastUserText).find((t) => t.includes('Candidate step: A3'))!;
    assert.match(a3Prompt, /Steps so far:\n1\. A\n/);
  });

  test('deterministic: the same scripted model gives the same tree', async () => {
    const scores = { A: '5', B: '5', C: '5', A1: '5', A2: '6', A3: '5', B1: '6', B2: '5', B3: '5' };
    const first = await treeOfThought({ model: scriptedSearchModel(scores), problem: 'p', maxDepth: 2 });
    const second = await treeOfThought({ model: scriptedSearchModel(scores), problem: 'p', maxDepth: 2 });
    assert.deepEqual(first.tree, second.tree);
    // Ties keep creation order: A and B (not C) form the beam; A2 is the first 6 at depth 2.
    assert.deepEqual(thoughtsOf(first.bestPath), ['', 'A', 'A2']);
  });

  test('stops as soon as a planted solution is judged, by score or by the SOLUTION: marker', async () => {
    const model = scriptedSearchModel({ A: 'Score: 7', B: 'Score: 9', C: 'Score: 3', B1: 'Score: 10' });
    const out = await treeOfThought({ model, problem: 'p', maxDepth: 3 });
    assert.equal(out.stopReason, 'solution');
    assert.equal(out.solution?.thought, 'B1');
    assert.deepEqual(thoughtsOf(out.bestPath), ['', 'B', 'B1']);
    assert.equal(model.callCount, 6, 'root propose + 3 scores + B propose + 1 score; nothing after the solution');
    assert.equal(out.tree.length, 5);

    const marked = scriptedSearchModel({ A: 'Score: 4', B: 'Score: 6\nSOLUTION: 24 = (8 − 4) × 6', C: 'Score: 9' });
    const byMarker = await treeOfThought({ model: marked, problem: 'p' });
    assert.equal(byMarker.solution?.thought, 'B');
    assert.equal(byMarker.solution?.solutionText, '24 = (8 − 4) × 6');
    assert.equal(marked.callCount, 3);
  });

  test('a call budget stops the search; unparseable scores become 0 with a note', async () => {
    const model = scriptedSearchModel({ A: 'Score: 7', B: 'I cannot rate this', C: 'Score: 42' });
    const out = await treeOfThought({ model, problem: 'p', maxCalls: 5 });
    assert.equal(out.stopReason, 'budget');
    assert.equal(model.callCount, 5);
    const b = out.tree.find((n) => n.thought === 'B')!;
    assert.equal(b.score, 0);
    assert.match(b.note ?? '', /unparseable/);
    assert.match(out.tree.find((n) => n.thought === 'C')!.note ?? '', /outside/);
    assert.deepEqual(thoughtsOf(out.bestPath), ['', 'A']);

    const tokenCapped = scriptedSearchModel({});
    const capped = await treeOfThought({ model: tokenCapped, problem: 'p', maxTokens: 30 });
    assert.equal(capped.stopReason, 'budget');
    assert.equal(tokenCapped.callCount, 2, 'each scripted call spends 15 tokens');
  });
});

describe('tree-of-thought parsing', () => {
  test('scores', () => {
    assert.equal(parseScore('Score: 7').score, 7);
    assert.equal(parseScore('I give it 8/10.').score, 8);
    assert.equal(parseScore('6 - decent').score, 6);
    assert.equal(parseScore('Score: 3\nSOLUTION: none').solutionText, undefined);
    assert.equal(parseScore('meh').score, 0);
  });

  test('thought lists', () => {
    assert.deepEqual(parseThoughts('Here are ideas:\n1. add\n2) multiply\n- divide\n4. add', 3), ['add', 'multiply', 'divide']);
    assert.deepEqual(parseThoughts('just one idea', 3), ['just one idea']);
  });
});
