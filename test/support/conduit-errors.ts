/** Test helpers for code that fails with ConduitErrors. */
import assert from 'node:assert/strict';
import { ConduitError, type ErrorKind } from '../../src/core/errors.js';

/** Awaits `p`, asserts it rejected with a ConduitError of `kind`, and returns that error. */
export async function rejectsWithKind(p: Promise<unknown>, kind: ErrorKind): Promise<ConduitError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConduitError, `expected ConduitError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}
