import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tracer, contentCapturePolicy, createTracingMiddleware } from '../../../src/observability/tracing/index.js';
import type { SpanRecord } from '../../../src/observability/tracing/index.js';
import { wrapLanguageModel } from '../../../src/models/wrap-language-model.js';
import { ScriptedModel, reply } from '../../support/scripted-model.js';
import type { KeyPrincipal } from '../../../src/auth/principal.js';

function keyPrincipal(keyId: string, metadata: KeyPrincipal['metadata'] = {}): KeyPrincipal {
  return { kind: 'key', keyId, keyName: `name-${keyId}`, allowedModels: 'all', admin: false, limits: {}, budgets: [], guardrails: null, metadata };
}

describe('content capture', () => {
  test('only keys listed by id or name, or flagged in metadata, capture content', () => {
    const policy = contentCapturePolicy({ keys: ['k1', 'name-k2'] });
    assert.equal(policy(keyPrincipal('k1')), true);
    assert.equal(policy(keyPrincipal('k2')), true);
    assert.equal(policy(keyPrincipal('k3')), false);
    assert.equal(policy(keyPrincipal('k3', { trace_content: true })), true);
    assert.equal(policy(keyPrincipal('k3', { trace_content: 'yes' })), false);
    assert.equal(policy(undefined), false);
    assert.equal(policy({ kind: 'master', allowedModels: 'all', admin: true }), false);
    assert.equal(contentCapturePolicy({ all: true })(undefined), true);
  });

  test('the middleware records prompt and completion only when capture is on', async () => {
    for (const captureContent of [true, false]) {
      const spans: SpanRecord[] = [];
      const tracer = new Tracer({ exporter: { export: async (s) => void spans.push(...s) }, intervalMs: 60_000 });
      const model = wrapLanguageModel(new ScriptedModel({ script: [reply('the answer')] }), createTracingMiddleware(tracer, { captureContent }));
      await model.generate({ messages: [{ role: 'user', content: 'the question' }] });
      await tracer.flush();
      assert.equal(spans.length, 1);
      const input = spans[0]!.attributes['gen_ai.input.messages'];
      const output = spans[0]!.attributes['gen_ai.output.messages'];
      if (captureContent) {
        assert.match(String(input), /the question/);
        assert.match(String(output), /the answer/);
      } else {
        assert.equal(input, undefined);
        assert.equal(output, undefined);
      }
    }
  });
});
