/** `not-contains` / `not-icontains`: none of the given substrings appears in the output. */
import { z } from 'zod';
import { excerpt, failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields, oneOrMany, toList } from './common.js';

export const notContainsSpec = z.strictObject({ type: z.enum(['not-contains', 'not-icontains']), value: oneOrMany, ...baseSpecFields });
export type NotContainsSpec = z.output<typeof notContainsSpec>;

export function notContainsAssertion(spec: NotContainsSpec): Assertion {
  const needles = toList(spec.value);
  const fold = spec.type === 'not-icontains' ? (s: string) => s.toLowerCase() : (s: string) => s;
  return {
    type: spec.type,
    label: spec.label ?? `${spec.type} ${needles.map((n) => JSON.stringify(n)).join(', ')}`,
    evaluate(output) {
      const haystack = fold(output.text);
      const found = needles.filter((n) => haystack.includes(fold(n)));
      if (found.length === 0) return passed(`output has none of ${needles.map((n) => JSON.stringify(n)).join(', ')}`);
      return failed(`output ${excerpt(output.text)} contains ${found.map((n) => JSON.stringify(n)).join(', ')}`);
    },
  };
}
