/** `regex`: the output matches a regular expression (JavaScript syntax; `flags` such as `i`, `m`, `s`). */
import { z } from 'zod';
import { excerpt, failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const regexSpec = z
  .strictObject({ type: z.literal('regex'), value: z.string().min(1), flags: z.string().regex(/^[dgimsuvy]*$/, 'expected regular expression flags (d g i m s u v y)').optional(), ...baseSpecFields })
  .superRefine((spec, ctx) => {
    // A bad pattern is a suite error found when the suite is loaded, not a failing test at run time.
    try {
      new RegExp(spec.value, spec.flags);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `invalid regular expression: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
export type RegexSpec = z.output<typeof regexSpec>;

export function regexAssertion(spec: RegexSpec): Assertion {
  // `g`/`y` make test() stateful between calls; matching is a yes/no question, so drop them.
  const pattern = new RegExp(spec.value, (spec.flags ?? '').replace(/[gy]/g, ''));
  return {
    type: 'regex',
    label: spec.label ?? `regex /${spec.value}/${spec.flags ?? ''}`,
    evaluate(output) {
      return pattern.test(output.text) ? passed(`output matches ${pattern}`) : failed(`output ${excerpt(output.text)} does not match ${pattern}`);
    },
  };
}
