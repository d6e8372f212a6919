/**
 * A stratified train/validation/test split with a fixed seed: each label (one stratum when the task
 * has no labels) is shuffled with the seeded PRNG and cut in the requested proportions, so every
 * split keeps the label mix and the same seed always gives the same split.
 */
import { ConduitError } from '../../core/errors.js';
import { seededRandom, shuffled } from './seeded-random.js';

export interface SplitRatios {
  train: number;
  validation: number;
  test: number;
}

/** The guide's 70/15/15. */
export const DEFAULT_SPLIT_RATIOS: SplitRatios = { train: 0.7, validation: 0.15, test: 0.15 };
export const DEFAULT_SPLIT_SEED = 42;

export interface SplitResult<T> {
  train: T[];
  validation: T[];
  test: T[];
}

export function stratifiedSplit<T>(items: readonly T[], options: { ratios?: SplitRatios; seed?: number; stratum?: (item: T) => string | undefined } = {}): SplitResult<T> {
  const ratios = options.ratios ?? DEFAULT_SPLIT_RATIOS;
  checkRatios(ratios);
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  if (!Number.isInteger(seed)) throw new ConduitError('invalid_request', `The seed must be an integer, got ${seed}`, { code: 'invalid_seed' });
  const random = seededRandom(seed);
  // Strata in first-seen order, so the PRNG draws are the same for the same input order.
  const strata = new Map<string, T[]>();
  for (const item of items) {
    const key = options.stratum?.(item) ?? '';
    let list = strata.get(key);
    if (list === undefined) strata.set(key, (list = []));
    list.push(item);
  }
  const out: SplitResult<T> = { train: [], validation: [], test: [] };
  let seen = 0;
  for (const list of strata.values()) {
    // What each split is short of (or over) its share of everything allocated so far: ties in the
    // rounding go where they even out across strata instead of always to the same split.
    const deficit: [number, number, number] = [seen * ratios.train - out.train.length, seen * ratios.validation - out.validation.length, seen * ratios.test - out.test.length];
    seen += list.length;
    const [nTrain, nValidation] = allocate(list.length, ratios, deficit);
    const order = shuffled(list, random);
    out.train.push(...order.slice(0, nTrain));
    out.validation.push(...order.slice(nTrain, nTrain + nValidation));
    out.test.push(...order.slice(nTrain + nValidation));
  }
  // Strata were appended one after another: shuffle each split so labels are interleaved for training.
  return { train: shuffled(out.train, random), validation: shuffled(out.validation, random), test: shuffled(out.test, random) };
}

/** Largest-remainder rounding of n × ratios; equal remainders go to the split furthest behind (`deficit`), then train, validation, test. */
function allocate(n: number, r: SplitRatios, deficit: readonly number[]): [number, number, number] {
  const exact = [n * r.train, n * r.validation, n * r.test];
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((s, x) => s + x, 0);
  const remainder = (i: number): number => exact[i]! - counts[i]!;
  const byRemainder = [0, 1, 2].sort((a, b) => {
    const d = remainder(b) - remainder(a);
    if (Math.abs(d) > 1e-9) return d;
    return (deficit[b] ?? 0) - (deficit[a] ?? 0) || a - b;
  });
  for (const i of byRemainder) {
    if (left === 0) break;
    counts[i]!++;
    left--;
  }
  return [counts[0]!, counts[1]!, counts[2]!];
}

export function parseRatios(text: string): SplitRatios {
  const parts = text.split(/[,/:]/).map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) throw new ConduitError('invalid_request', `Ratios are three numbers like 0.7,0.15,0.15 or 70/15/15, got '${text}'`, { code: 'invalid_ratios' });
  const total = parts.reduce((s, p) => s + p, 0);
  const [train, validation, test] = parts.map((p) => p / total) as [number, number, number];
  const ratios = { train, validation, test };
  checkRatios(ratios);
  return ratios;
}

function checkRatios(r: SplitRatios): void {
  const parts = [r.train, r.validation, r.test];
  if (parts.some((p) => !(p >= 0)) || !(r.train > 0) || Math.abs(parts.reduce((s, p) => s + p, 0) - 1) > 1e-9) {
    throw new ConduitError('invalid_request', 'Split ratios must be non-negative, with a positive train share, and sum to 1', { code: 'invalid_ratios' });
  }
}
