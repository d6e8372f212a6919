import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { parseTraceJsonl, tracesToSuite } from '../../../src/eval/suite/from-traces.js';
import { parseSuite } from '../../../src/eval/suite/load-suite.js';
import { isConduitError } from '../../../src/core/errors.js';

const JSONL = [
  JSON.stringify({ id: 't1', input: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }], output: 'Paris.', model: 'gpt-4o-mini', metadata: { route: 'qa', user: 'u1' } }),
  '',
  JSON.stringify({ id: 't2', messages: [{ role: 'developer', content: 'Dev' }, { role: 'user', content: [{ type: 'text', text: 'Capital ' }, { type: 'text', text: 'of Spain?' }] }], output: 'Madrid.', model: 'gpt-4o', metadata: { route: 'qa' } }),
  JSON.stringify({ id: 't1', input: [{ role: 'user', content: 'Again?' }], output: 'Yes.', model: 'gpt-4o-mini', metadata: { route: 'chat' } }),
  JSON.stringify({ id: 't4', input: [{ role: 'user', content: 'Empty answer' }], output: '  ', model: 'gpt-4o-mini' }),
].join('\n');

describe('from-traces', () => {
  test('parses JSONL (input or messages, text parts, developer → system)', () => {
    const records = parseTraceJsonl(JSONL);
    assert.equal(records.length, 4);
    assert.deepEqual(records[1]?.input, [
      { role: 'system', content: 'Dev' },
      { role: 'user', content: 'Capital of Spain?' },
    ]);
  });

  test('bad lines are rejected with their line number', () => {
    for (const [text, message] of [
      ['{"input": [{"role":"user","content":"x"}], "output": "y"}', /^traces\.jsonl:1: model: /],
      ['\n{not json', /^traces\.jsonl:2: not JSON/],
      ['{"output": "y", "model": "m"}', /^traces\.jsonl:1: input: expected input/],
    ] as const) {
      assert.throws(() => parseTraceJsonl(text), (err: unknown) => isConduitError(err) && err.code === 'invalid_traces' && message.test(err.message));
    }
  });

  test('converts selected records into a valid suite with observed outputs as references', () => {
    const records = parseTraceJsonl(JSONL);
    const suite = tracesToSuite(records);
    // The record with an empty output is left out; the repeated id gets a suffix.
    assert.deepEqual(
      suite.cases.map((c) => c.name),
      ['t1', 't2', 't1-2'],
    );
    assert.deepEqual(suite.models, ['gpt-4o-mini', 'gpt-4o']);
    assert.equal(suite.cases[0]?.reference, 'Paris.');
    assert.deepEqual(suite.cases[0]?.metadata, { source: 'trace', model: 'gpt-4o-mini', trace_id: 't1', route: 'qa', user: 'u1' });
    // What it produces is a suite the runner accepts, through YAML.
    const loaded = parseSuite(stringify(suite), 'generated.yaml');
    assert.deepEqual(loaded.prompts, [{ case_messages: true, label: 'recorded' }]);
    assert.deepEqual(loaded.defaults.assert, [{ type: 'similar', threshold: 0.8 }]);
    assert.equal(loaded.cases[1]?.messages?.[1]?.content, 'Capital of Spain?');
  });

  test('selection by metadata and limit; model override; nothing selected is an error', () => {
    const records = parseTraceJsonl(JSONL);
    const qa = tracesToSuite(records, { where: { route: 'qa' }, limit: 1, models: ['fast'] });
    assert.deepEqual(
      qa.cases.map((c) => c.name),
      ['t1'],
    );
    assert.deepEqual(qa.models, ['fast']);
    assert.throws(() => tracesToSuite(records, { where: { route: 'none' } }), (err: unknown) => isConduitError(err) && err.code === 'no_traces');
  });
});

describe('from the trace store’s spans', () => {
  test('model spans with captured content become records; spans without content are skipped', async () => {
    const { traceRecordsFromSpans } = await import('../../../src/eval/suite/from-spans.js');
    const spans = [
      { traceId: 'a'.repeat(32), spanId: '1'.repeat(16), name: 'POST /v1/chat/completions', attributes: { 'conduit.key_id': 'k1' } },
      {
        traceId: 'a'.repeat(32),
        spanId: '2'.repeat(16),
        name: 'chat gpt-4o-mini',
        attributes: {
          'gen_ai.request.model': 'fast',
          'gen_ai.response.model': 'gpt-4o-mini',
          'gen_ai.provider.name': 'openai',
          'conduit.key_id': 'k1',
          'gen_ai.input.messages': JSON.stringify([
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: [{ type: 'text', text: 'Capital of ' }, { type: 'text', text: 'Chile?' }] },
            { role: 'tool', toolCallId: 'x', content: 'ignored' },
          ]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', content: 'Santiago.', toolCalls: [] }]),
        },
      },
      { traceId: 'b'.repeat(32), spanId: '3'.repeat(16), name: 'chat', attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.input.messages': 'not json', 'gen_ai.output.messages': '[]' } },
    ];
    const records = traceRecordsFromSpans(spans);
    assert.deepEqual(records, [
      {
        id: `${'a'.repeat(32)}-${'2'.repeat(16)}`,
        input: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Capital of Chile?' },
        ],
        output: 'Santiago.',
        model: 'gpt-4o-mini',
        metadata: { trace_id: 'a'.repeat(32), span_id: '2'.repeat(16), span: 'chat gpt-4o-mini', key_id: 'k1', provider: 'openai' },
      },
    ]);
    const suite = tracesToSuite(records, { where: { key_id: 'k1' } });
    assert.equal(suite.cases[0]?.reference, 'Santiago.');
  });
});
