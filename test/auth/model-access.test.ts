import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../src/core/errors.js';
import { authorizeModel, isModelAllowed, modelMatches, principalFromKey, principalLabel } from '../../src/auth/index.js';
import type { KeyRecord } from '../../src/auth/index.js';

function record(allowedModels: string[]): KeyRecord {
  return {
    id: 'a'.repeat(16),
    name: 'k',
    ownerUserId: 'u1',
    team: null,
    allowedModels,
    limits: {},
    budgets: [],
    guardrails: null,
    metadata: {},
    createdAt: new Date(0).toISOString(),
    expiresAt: null,
    revokedAt: null,
    rotatedFrom: null,
    lastUsedAt: null,
  };
}

test('globs: * spans any characters; everything else is literal and case-sensitive', () => {
  assert.ok(modelMatches('openai/*', 'openai/gpt-4o'));
  assert.ok(modelMatches('openai/*', 'openai/ft:gpt-4o:org/x'));
  assert.ok(!modelMatches('openai/*', 'anthropic/claude'));
  assert.ok(!modelMatches('openai/*', 'openai'));
  assert.ok(modelMatches('gpt-4o*', 'gpt-4o-mini'));
  assert.ok(modelMatches('*', 'x'));
  assert.ok(modelMatches('*/llama*', 'local/llama-3'));
  assert.ok(!modelMatches('gpt-4.1', 'gpt-491'), 'a dot is literal');
  assert.ok(!modelMatches('GPT-4o', 'gpt-4o'));
  assert.ok(modelMatches('fast', 'fast'));
  assert.ok(!modelMatches('fast', 'faster'));
});

test('authorizeModel: empty list allows all; otherwise 403 unless a name matches', () => {
  authorizeModel(record([]), 'anything/at-all');
  const r = record(['openai/*', 'fast']);
  authorizeModel(r, 'openai/gpt-4o');
  authorizeModel(r, 'fast');
  // The alias or the resolved name may match.
  authorizeModel(r, ['cheap', 'openai/gpt-4o-mini']);
  assert.throws(
    () => authorizeModel(r, 'anthropic/claude-sonnet'),
    (err: unknown) => err instanceof ConduitError && err.kind === 'permission' && err.status === 403 && err.code === 'model_not_allowed' && err.model === 'anthropic/claude-sonnet',
  );
  assert.throws(() => authorizeModel(r, ['cheap', 'anthropic/claude']), (err: unknown) => err instanceof ConduitError && err.status === 403);
  assert.equal(isModelAllowed([], 'x'), false, 'an empty grant on a principal means none');
  assert.equal(isModelAllowed('all', 'x'), true);
});

test('principalFromKey maps a record onto the shared Principal shape', () => {
  const p = principalFromKey({ ...record([]), team: 'alpha', limits: { requestsPerMinute: 5 } });
  assert.equal(p.kind, 'key');
  assert.equal(p.keyId, 'a'.repeat(16));
  assert.equal(p.userId, 'u1');
  assert.equal(p.team, 'alpha');
  assert.equal(p.allowedModels, 'all');
  assert.equal(p.admin, false);
  assert.deepEqual(p.limits, { requestsPerMinute: 5 });
  assert.equal(principalLabel(p), `key:${'a'.repeat(16)}`);
  const restricted = principalFromKey(record(['m/*']));
  assert.deepEqual(restricted.allowedModels, ['m/*']);
  assert.equal('team' in restricted, false);
  authorizeModel(restricted, 'm/1');
  assert.throws(() => authorizeModel(restricted, 'n/1'));
});
