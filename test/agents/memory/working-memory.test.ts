import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../../src/core/errors.js';
import { WorkingMemory } from '../../../src/agents/memory/working-memory.js';

describe('working memory', () => {
  test('is bounded by entries: the least recently written goes first, to onEvict', () => {
    const evicted: string[] = [];
    const memory = new WorkingMemory({ maxEntries: 3, onEvict: (k) => evicted.push(k) });
    memory.set('a', '1');
    memory.set('b', '2');
    memory.set('c', '3');
    memory.set('a', '1b'); // rewriting makes it the most recent
    memory.set('d', '4');
    assert.deepEqual(evicted, ['b']);
    assert.deepEqual(memory.entriesInOrder(), [['c', '3'], ['a', '1b'], ['d', '4']]);
    assert.equal(memory.size, 3);
  });

  test('is bounded by characters, and refuses one entry larger than the bound', () => {
    const memory = new WorkingMemory({ maxEntries: 100, maxChars: 20 });
    memory.set('k1', 'xxxxxxxx'); // 10
    memory.set('k2', 'yyyyyyyy'); // 20
    memory.set('k3', 'zz'); // 24 → k1 evicted
    assert.deepEqual(memory.entriesInOrder().map(([k]) => k), ['k2', 'k3']);
    assert.equal(memory.totalChars, 14);
    assert.throws(() => memory.set('big', 'x'.repeat(30)), (e: unknown) => e instanceof ConduitError && e.code === 'working_memory_entry_too_large');
    assert.deepEqual(memory.entriesInOrder().map(([k]) => k), ['k2', 'k3']);
    assert.equal(memory.delete('k2'), true);
    assert.equal(memory.totalChars, 4);
    assert.equal(memory.get('k3'), 'zz');
  });

  test('renders a prompt view with long values cut', () => {
    const memory = new WorkingMemory();
    memory.set('goal', 'ship it');
    memory.set('notes', 'n'.repeat(300));
    const view = memory.render(10);
    assert.equal(view, `goal: ship it\nnotes: ${'n'.repeat(10)}…`);
  });
});
