import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTextToolCalls, textProtocolInstructions } from '../../../src/agents/loop/text-protocol.js';
import { createCalculatorTool } from '../../../src/agents/tools/calculator/calculator-tool.js';

describe('text protocol parser', () => {
  test('a fenced block with prose around it', () => {
    const r = parseTextToolCalls('Let me check.\n```json\n{"tool": "calculator", "arguments": {"expression": "2+2"}}\n```', 3);
    assert.deepEqual(r.calls, [{ id: 'text_3_0', name: 'calculator', arguments: '{"expression":"2+2"}' }]);
    assert.equal(r.prose, 'Let me check.');
  });

  test('several blocks, an array, alternative key names, string arguments, trailing commas', () => {
    const text = [
      '```\n{"name": "a", "args": {"x": 1},}\n```',
      '```json\n[{"tool_name": "b", "parameters": "{\\"y\\": 2}"}, {"tool": "c", "input": {}}]\n```',
    ].join('\n');
    const r = parseTextToolCalls(text, 1);
    assert.deepEqual(
      r.calls.map((c) => [c.name, JSON.parse(c.arguments)]),
      [
        ['a', { x: 1 }],
        ['b', { y: 2 }],
        ['c', {}],
      ],
    );
    assert.deepEqual(r.calls.map((c) => c.id), ['text_1_0', 'text_1_1', 'text_1_2']);
  });

  test('a bare object and the TOOL_CALL: prefix', () => {
    const r = parseTextToolCalls('TOOL_CALL: {"tool": "calculator", "arguments": {"expression": "1"}} thanks', 2);
    assert.equal(r.calls.length, 1);
    assert.equal(r.calls[0]!.name, 'calculator');
    assert.equal(r.prose, 'thanks');
  });

  test('JSON that names no tool, and plain prose, are not calls', () => {
    assert.deepEqual(parseTextToolCalls('Here is data: ```json\n{"answer": 300}\n```', 1).calls, []);
    assert.deepEqual(parseTextToolCalls('The answer is 300 {approximately}.', 1).calls, []);
    assert.deepEqual(parseTextToolCalls('', 1).calls, []);
  });

  test('instructions list each tool with its JSON Schema', () => {
    const text = textProtocolInstructions([createCalculatorTool()]);
    assert.match(text, /"name": "calculator"/);
    assert.match(text, /"expression"/);
    assert.match(text, /```json/);
  });
});
