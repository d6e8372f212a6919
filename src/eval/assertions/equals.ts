/**
 * `equals`: the output is exactly the value (surrounding whitespace ignored unless `trim: false`).
 * A non-string value (object, array, number…) is compared as JSON: the output must parse to an
 * equal value, whatever its formatting or key order.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { extractJson } from '../../structured/json-extraction.js';
import { excerpt, failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const equalsSpec = z.strictObject({ type: z.literal('equals'), value: z.unknown().refine((v) => v !== undefined, 'value is required'), trim: z.boolean().default(true), ...baseSpecFields });
export type EqualsSpec = z.output<typeof equalsSpec>;

export function equalsAssertion(spec: EqualsSpec): Assertion {
  const expected = spec.value;
  return {
    type: 'equals',
    label: spec.label ?? `equals ${excerpt(typeof expected === 'string' ? expected : JSON.stringify(expected), 40)}`,
    evaluate(output) {
      if (typeof expected === 'string') {
        const actual = spec.trim ? output.text.trim() : output.text;
        const want = spec.trim ? expected.trim() : expected;
        return actual === want ? passed('output equals the expected text') : failed(`expected ${excerpt(want)}, got ${excerpt(actual)}`);
      }
      const parsed = extractJson(output.text);
      if (!parsed.ok) return failed(`expected JSON equal to ${JSON.stringify(expected)}, but the output is not JSON: ${parsed.error}`);
      return isDeepStrictEqual(parsed.value, expected) ? passed('output equals the expected JSON value') : failed(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(parsed.value)}`);
    },
  };
}
