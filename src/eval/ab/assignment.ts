/**
 * Deterministic assignment: sha256(experiment id, user id) → a bucket in [0, 10000) → the arm
 * whose cumulative share (in basis points) covers it. The same user gets the same arm in every
 * process and on every replica — unlike a per-process hash (Python's `hash()`, a random seed) —
 * and the experiment id in the hash keeps one user's buckets independent across experiments.
 */
import { createHash } from 'node:crypto';
import { ConduitError } from '../../core/errors.js';
import type { Arm, Experiment } from './experiment.js';

export const BUCKETS = 10_000;

/** The user's bucket in [0, 10000) for this experiment. */
export function bucketOf(experimentId: string, userId: string): number {
  // A NUL separator: ('ab', 'c') and ('a', 'bc') must not hash alike.
  const digest = createHash('sha256').update(experimentId).update('\0').update(userId).digest();
  // 48 bits read as an integer: the modulo bias over 10 000 buckets is below 1e-10.
  return digest.readUIntBE(0, 6) % BUCKETS;
}

/** The arm `userId` sees in `experiment`. Variants take the low buckets in configured order; the control the rest. */
export function assignArm(experiment: Experiment, userId: string): Arm {
  if (userId.length === 0) throw new ConduitError('invalid_request', 'A/B assignment needs a non-empty user id', { code: 'missing_user' });
  const bucket = bucketOf(experiment.id, userId);
  let upper = 0;
  const [control, ...variants] = experiment.arms;
  for (const arm of variants) {
    upper += Math.round(arm.share * 100);
    if (bucket < upper) return arm;
  }
  if (control === undefined) throw new ConduitError('internal', `Experiment '${experiment.id}' has no control arm`);
  return control;
}
