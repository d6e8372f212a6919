import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../core/messages.js';
import { ConduitError } from '../../core/errors.js';
import { formatPrompt, isPromptFormatName, PROMPT_FORMATS, type PromptFormatName } from './index.js';

const system: Message = { role: 'system', content: 'You are terse.' };
const user1: Message = { role: 'user', content: 'What is 2+2?' };
const assistant1: Message = { role: 'assistant', content: '4' };
const user2: Message = { role: 'user', content: [{ type: 'text', text: 'And the weather ' }, { type: 'text', text: 'in Paris?' }] };
const toolCallTurn: Message = {
  role: 'assistant',
  content: null,
  toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
};
const toolResult: Message = { role: 'tool', toolCallId: 'call_1', content: '{"temp":21}' };

const singleTurn: Message[] = [system, user1];
const multiTurn: Message[] = [system, user1, assistant1, user2];
const withTools: Message[] = [user2, toolCallTurn, toolResult];
const prefill: Message[] = [user1, { role: 'assistant', content: 'The answer is' }];

describe('chatml', () => {
  test('system prompt and open assistant turn', () => {
    assert.deepEqual(formatPrompt('chatml', singleTurn), {
      prompt: '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n',
      stop: ['<|im_end|>', '<|im_start|>'],
    });
  });
  test('multi-turn', () => {
    assert.equal(
      formatPrompt('chatml', multiTurn).prompt,
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n' +
        '<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd the weather in Paris?<|im_end|>\n<|im_start|>assistant\n',
    );
  });
  test('tool calls and tool results (Hermes convention)', () => {
    assert.equal(
      formatPrompt('chatml', withTools).prompt,
      '<|im_start|>user\nAnd the weather in Paris?<|im_end|>\n' +
        '<|im_start|>assistant\n<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>tool\n<tool_response>\n{"temp":21}\n</tool_response><|im_end|>\n<|im_start|>assistant\n',
    );
  });
  test('a trailing assistant message is continued, not closed', () => {
    assert.equal(formatPrompt('chatml', prefill).prompt, '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\nThe answer is');
  });
});

describe('llama2', () => {
  test('system prompt inside the first [INST]', () => {
    assert.deepEqual(formatPrompt('llama2', singleTurn), {
      prompt: '<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is 2+2? [/INST]',
      stop: ['</s>', '[INST]'],
    });
  });
  test('multi-turn', () => {
    assert.equal(
      formatPrompt('llama2', multiTurn).prompt,
      '<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is 2+2? [/INST] 4 </s><s>[INST] And the weather in Paris? [/INST]',
    );
  });
  test('tool calls as JSON lines, tool results as user-side blocks', () => {
    assert.equal(
      formatPrompt('llama2', withTools).prompt,
      '<s>[INST] And the weather in Paris? [/INST] {"name":"get_weather","arguments":{"city":"Paris"}} </s>' +
        '<s>[INST] [tool result call_1]\n{"temp":21} [/INST]',
    );
  });
  test('consecutive user-side messages share one [INST] block', () => {
    assert.equal(
      formatPrompt('llama2', [user1, { role: 'user', content: 'Quickly.' }]).prompt,
      '<s>[INST] What is 2+2?\n\nQuickly. [/INST]',
    );
  });
  test('a trailing assistant message is continued, not closed', () => {
    assert.equal(formatPrompt('llama2', prefill).prompt, '<s>[INST] What is 2+2? [/INST] The answer is');
  });
});

describe('llama3', () => {
  test('system prompt and open assistant header', () => {
    assert.deepEqual(formatPrompt('llama3', singleTurn), {
      prompt:
        '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
      stop: ['<|eot_id|>', '<|eom_id|>', '<|end_of_text|>'],
    });
  });
  test('multi-turn', () => {
    assert.equal(
      formatPrompt('llama3', multiTurn).prompt,
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nAnd the weather in Paris?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });
  test('tool calls with "parameters", tool results as ipython turns', () => {
    assert.equal(
      formatPrompt('llama3', withTools).prompt,
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nAnd the weather in Paris?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n{"name":"get_weather","parameters":{"city":"Paris"}}<|eot_id|>' +
        '<|start_header_id|>ipython<|end_header_id|>\n\n{"temp":21}<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });
  test('a trailing assistant message is continued, not closed', () => {
    assert.equal(
      formatPrompt('llama3', prefill).prompt,
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nThe answer is',
    );
  });
});

describe('mistral', () => {
  test('system text joins the first user message', () => {
    assert.deepEqual(formatPrompt('mistral', singleTurn), {
      prompt: '<s>[INST] You are terse.\n\nWhat is 2+2? [/INST]',
      stop: ['</s>', '[INST]'],
    });
  });
  test('multi-turn', () => {
    assert.equal(
      formatPrompt('mistral', multiTurn).prompt,
      '<s>[INST] You are terse.\n\nWhat is 2+2? [/INST]4</s>[INST] And the weather in Paris? [/INST]',
    );
  });
  test('tool calls and results with the v3 control tokens', () => {
    assert.equal(
      formatPrompt('mistral', withTools).prompt,
      '<s>[INST] And the weather in Paris? [/INST]' +
        '[TOOL_CALLS] [{"name":"get_weather","arguments":{"city":"Paris"},"id":"call_1"}]</s>' +
        '[TOOL_RESULTS] {"content":"{\\"temp\\":21}","call_id":"call_1"}[/TOOL_RESULTS]',
    );
  });
  test('a trailing assistant message is continued, not closed', () => {
    assert.equal(formatPrompt('mistral', prefill).prompt, '<s>[INST] What is 2+2? [/INST]The answer is');
  });
});

describe('formatPrompt', () => {
  test('unparseable tool arguments are kept as a JSON string, so the rendering stays valid JSON', () => {
    const broken: Message[] = [user1, { role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'f', arguments: '{oops' }] }];
    assert.match(formatPrompt('chatml', broken).prompt, /<tool_call>\n\{"name":"f","arguments":"\{oops"\}\n<\/tool_call>/);
  });
  test('image parts are dropped, text kept', () => {
    const msg: Message[] = [{ role: 'user', content: [{ type: 'image', url: 'https://x/y.png' }, { type: 'text', text: 'describe' }] }];
    assert.equal(formatPrompt('chatml', msg).prompt, '<|im_start|>user\ndescribe<|im_end|>\n<|im_start|>assistant\n');
  });
  test('every listed format is accepted; unknown formats are a typed invalid_request', () => {
    assert.deepEqual([...PROMPT_FORMATS].sort(), ['chatml', 'llama2', 'llama3', 'mistral']);
    for (const f of PROMPT_FORMATS) assert.ok(formatPrompt(f, singleTurn).prompt.length > 0);
    assert.equal(isPromptFormatName('vicuna'), false);
    assert.throws(
      () => formatPrompt('vicuna' as PromptFormatName, singleTurn),
      (err: unknown) => err instanceof ConduitError && err.kind === 'invalid_request' && /vicuna/.test(err.message),
    );
  });
});
