/**
 * The assertion catalog: the spec schema every suite's `assert:` entries are validated with, and the
 * factory that turns a validated spec into its Assertion. One file per assertion type; add a type by
 * adding its spec to ASSERTION_SPEC and a case to createAssertion.
 */
import { z } from 'zod';
import type { Assertion } from './assertion.js';
import { containsAssertion, containsSpec } from './contains.js';
import { costAssertion, costSpec } from './cost.js';
import { equalsAssertion, equalsSpec } from './equals.js';
import { faithfulnessAssertion, faithfulnessSpec } from './faithfulness.js';
import { isJsonAssertion, isJsonSpec } from './is-json.js';
import { latencyAssertion, latencySpec } from './latency.js';
import { lengthAssertion, lengthSpec } from './length.js';
import { modelGradedAssertion, modelGradedSpec } from './model-graded.js';
import { notContainsAssertion, notContainsSpec } from './not-contains.js';
import { regexAssertion, regexSpec } from './regex.js';
import { similarAssertion, similarSpec } from './similar.js';
import { toolCallAssertion, toolCallSpec } from './tool-call.js';
import { trajectoryAssertion, trajectorySpec } from './trajectory.js';

export const ASSERTION_TYPES = [
  'contains',
  'icontains',
  'not-contains',
  'not-icontains',
  'regex',
  'equals',
  'is-json',
  'length',
  'latency',
  'cost',
  'similar',
  'model-graded',
  'llm-rubric',
  'tool-call',
  'trajectory',
  'faithfulness',
] as const;
export type AssertionType = (typeof ASSERTION_TYPES)[number];

export type AssertionSpec =
  | z.output<typeof containsSpec>
  | z.output<typeof notContainsSpec>
  | z.output<typeof regexSpec>
  | z.output<typeof equalsSpec>
  | z.output<typeof isJsonSpec>
  | z.output<typeof lengthSpec>
  | z.output<typeof latencySpec>
  | z.output<typeof costSpec>
  | z.output<typeof similarSpec>
  | z.output<typeof modelGradedSpec>
  | z.output<typeof toolCallSpec>
  | z.output<typeof trajectorySpec>
  | z.output<typeof faithfulnessSpec>;

const SPEC_BY_TYPE: Record<AssertionType, z.ZodType> = {
  contains: containsSpec,
  icontains: containsSpec,
  'not-contains': notContainsSpec,
  'not-icontains': notContainsSpec,
  regex: regexSpec,
  equals: equalsSpec,
  'is-json': isJsonSpec,
  length: lengthSpec,
  latency: latencySpec,
  cost: costSpec,
  similar: similarSpec,
  'model-graded': modelGradedSpec,
  'llm-rubric': modelGradedSpec,
  'tool-call': toolCallSpec,
  trajectory: trajectorySpec,
  faithfulness: faithfulnessSpec,
};

/**
 * Validates one `assert:` entry. The type is checked first, so a typo says "unknown assertion type"
 * with the list, not thirteen union mismatches; then the entry is checked against its own schema
 * and issues keep their paths (`cases[2].assert[0].max_ms`).
 */
export const assertionSpecSchema: z.ZodType<AssertionSpec, unknown> = z.unknown().transform((value, ctx): AssertionSpec => {
  const type = value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(ASSERTION_TYPES as readonly string[]).includes(type)) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown assertion type ${type === undefined ? '(missing)' : JSON.stringify(type)} (types: ${ASSERTION_TYPES.join(', ')})` });
    return z.NEVER;
  }
  const parsed = SPEC_BY_TYPE[type as AssertionType].safeParse(value);
  if (parsed.success) return parsed.data as AssertionSpec;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
});

export function createAssertion(spec: AssertionSpec): Assertion {
  switch (spec.type) {
    case 'contains':
    case 'icontains':
      return containsAssertion(spec);
    case 'not-contains':
    case 'not-icontains':
      return notContainsAssertion(spec);
    case 'regex':
      return regexAssertion(spec);
    case 'equals':
      return equalsAssertion(spec);
    case 'is-json':
      return isJsonAssertion(spec);
    case 'length':
      return lengthAssertion(spec);
    case 'latency':
      return latencyAssertion(spec);
    case 'cost':
      return costAssertion(spec);
    case 'similar':
      return similarAssertion(spec);
    case 'model-graded':
    case 'llm-rubric':
      return modelGradedAssertion(spec);
    case 'tool-call':
      return toolCallAssertion(spec);
    case 'trajectory':
      return trajectoryAssertion(spec);
    case 'faithfulness':
      return faithfulnessAssertion(spec);
  }
}
