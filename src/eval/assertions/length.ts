/**
 * `length`: the output's length within [min, max], in characters (default) or tokens — counted with
 * the answering model's tokenizer (exact for OpenAI models, a documented estimate for others).
 */
import { z } from 'zod';
import { tokenizerFor } from '../../models/tokenizer/index.js';
import { failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const lengthSpec = z
  .strictObject({ type: z.literal('length'), min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional(), unit: z.enum(['chars', 'tokens']).default('chars'), ...baseSpecFields })
  .refine((s) => s.min !== undefined || s.max !== undefined, 'give min, max or both')
  .refine((s) => s.min === undefined || s.max === undefined || s.min <= s.max, { message: 'min must not exceed max', path: ['min'] });
export type LengthSpec = z.output<typeof lengthSpec>;

export function lengthAssertion(spec: LengthSpec): Assertion {
  const bounds = `${spec.min ?? 0}..${spec.max ?? '∞'} ${spec.unit}`;
  return {
    type: 'length',
    label: spec.label ?? `length ${bounds}`,
    evaluate(output) {
      const length = spec.unit === 'chars' ? [...output.text].length : tokenizerFor(output.provider, output.model).count(output.text);
      if (spec.min !== undefined && length < spec.min) return failed(`${length} ${spec.unit}, below the minimum ${spec.min}`);
      if (spec.max !== undefined && length > spec.max) return failed(`${length} ${spec.unit}, above the maximum ${spec.max}`);
      return passed(`${length} ${spec.unit}, within ${bounds}`);
    },
  };
}
