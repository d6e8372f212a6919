import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConduitError } from '../../src/core/errors.js';
import { requireMasterKey, verifyMasterKey } from '../../src/auth/index.js';

const MASTER = 'sk-master-0123456789abcdef';

test('verifyMasterKey accepts exactly the configured key', () => {
  assert.equal(verifyMasterKey(MASTER, MASTER), true);
  assert.equal(verifyMasterKey(`${MASTER} `, MASTER), false);
  assert.equal(verifyMasterKey(MASTER.slice(0, -1), MASTER), false);
  assert.equal(verifyMasterKey(MASTER.toUpperCase(), MASTER), false);
  assert.equal(verifyMasterKey('', MASTER), false);
  assert.equal(verifyMasterKey(undefined, MASTER), false);
  assert.equal(verifyMasterKey(`${MASTER}${MASTER}`, MASTER), false);
});

test('with no master key configured nothing verifies, not even an empty or missing one', () => {
  for (const configured of [undefined, null, '']) {
    assert.equal(verifyMasterKey('', configured), false);
    assert.equal(verifyMasterKey(undefined, configured), false);
    assert.equal(verifyMasterKey('anything', configured), false);
  }
});

test('requireMasterKey: 403 when the admin API is disabled, 401 for a missing or wrong key', () => {
  const fails = (fn: () => unknown, kind: string, status: number, code: string) =>
    assert.throws(fn, (err: unknown) => err instanceof ConduitError && err.kind === kind && err.status === status && err.code === code && !err.message.includes(MASTER));
  fails(() => requireMasterKey(MASTER, undefined), 'permission', 403, 'admin_disabled');
  fails(() => requireMasterKey('', ''), 'permission', 403, 'admin_disabled');
  fails(() => requireMasterKey(undefined, MASTER), 'authentication', 401, 'missing_master_key');
  fails(() => requireMasterKey('wrong', MASTER), 'authentication', 401, 'invalid_master_key');
  const principal = requireMasterKey(MASTER, MASTER);
  assert.equal(principal.kind, 'master');
  assert.equal(principal.admin, true);
});
