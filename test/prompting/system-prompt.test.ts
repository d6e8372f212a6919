import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSystemMessage, buildSystemPrompt, rolePrompt, SYSTEM_PROMPT_SECTION_ORDER } from '../../src/prompting/system-prompt.js';

describe('system prompt sections', () => {
  test('sections come out in the fixed order whatever order they are given in', () => {
    const text = buildSystemPrompt({
      badExamples: ['Sure! Here is a poem about your refund...'],
      tone: 'Friendly and concise.',
      outputFormat: 'Plain text, at most 200 words.',
      constraints: ['Only discuss Acme products.', 'Decline questions about competitors.'],
      goodExamples: ['Your refund was issued on 3 May;\nit takes 5 business days.'],
      role: 'You are the Acme support assistant.',
    });
    assert.equal(
      text,
      [
        '# ROLE\nYou are the Acme support assistant.',
        '# CONSTRAINTS\n- Only discuss Acme products.\n- Decline questions about competitors.',
        '# OUTPUT FORMAT\nPlain text, at most 200 words.',
        '# TONE\nFriendly and concise.',
        '# EXAMPLES OF GOOD RESPONSES\n- Your refund was issued on 3 May;\n  it takes 5 business days.',
        '# EXAMPLES OF BAD RESPONSES (NEVER DO THIS)\n- Sure! Here is a poem about your refund...',
      ].join('\n\n'),
    );
    assert.deepEqual(SYSTEM_PROMPT_SECTION_ORDER, ['role', 'constraints', 'outputFormat', 'tone', 'goodExamples', 'badExamples']);
  });

  test('empty sections are skipped', () => {
    const text = buildSystemPrompt({ role: 'You are a JSON parser.', constraints: [], tone: '   ', goodExamples: ['', ' '], outputFormat: 'JSON only.' });
    assert.equal(text, '# ROLE\nYou are a JSON parser.\n\n# OUTPUT FORMAT\nJSON only.');
    assert.equal(buildSystemPrompt({}), '');
  });

  test('role prompts and system messages', () => {
    assert.equal(rolePrompt('You are a SQL reviewer.', { tone: 'Terse.' }), '# ROLE\nYou are a SQL reviewer.\n\n# TONE\nTerse.');
    assert.deepEqual(buildSystemMessage({ role: 'R' }), { role: 'system', content: '# ROLE\nR' });
  });
});
