/**
 * `cost`: the call (or agent run) cost at most `max_usd`. An unknown price fails: a ceiling that cannot
 * be checked is not met (price the model under `prices:` in conduit.yaml).
 */
import { z } from 'zod';
import { failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const costSpec = z.strictObject({ type: z.literal('cost'), max_usd: z.number().min(0), ...baseSpecFields });
export type CostSpec = z.output<typeof costSpec>;

export function costAssertion(spec: CostSpec): Assertion {
  return {
    type: 'cost',
    label: spec.label ?? `cost ≤ $${spec.max_usd}`,
    evaluate(output) {
      if (output.costUsd === undefined) return failed(`cost unknown for model ${output.model} (no price), cannot check the $${spec.max_usd} ceiling`);
      const cost = `$${output.costUsd.toFixed(6)}`;
      return output.costUsd <= spec.max_usd ? passed(`${cost} ≤ $${spec.max_usd}`) : failed(`${cost} exceeds the ceiling of $${spec.max_usd}`);
    },
  };
}
