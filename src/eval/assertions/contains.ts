/** `contains` / `icontains`: the output includes every given substring (icontains: ignoring case). */
import { z } from 'zod';
import { excerpt, failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields, oneOrMany, toList } from './common.js';

export const containsSpec = z.strictObject({ type: z.enum(['contains', 'icontains']), value: oneOrMany, ...baseSpecFields });
export type ContainsSpec = z.output<typeof containsSpec>;

export function containsAssertion(spec: ContainsSpec): Assertion {
  const needles = toList(spec.value);
  const fold = spec.type === 'icontains' ? (s: string) => s.toLowerCase() : (s: string) => s;
  return {
    type: spec.type,
    label: spec.label ?? `${spec.type} ${needles.map((n) => JSON.stringify(n)).join(', ')}`,
    evaluate(output) {
      const haystack = fold(output.text);
      const missing = needles.filter((n) => !haystack.includes(fold(n)));
      if (missing.length === 0) return passed(`output contains ${needles.map((n) => JSON.stringify(n)).join(', ')}`);
      return failed(`output ${excerpt(output.text)} lacks ${missing.map((n) => JSON.stringify(n)).join(', ')}`, (needles.length - missing.length) / needles.length);
    },
  };
}
