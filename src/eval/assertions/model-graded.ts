/**
 * `model-graded` (alias `llm-rubric`): a grader model reads the rubric and the output and returns
 * `{pass, score, reason}` as validated JSON (generateObject, with its repair loop). The assertion
 * passes when the grader says pass and the score reaches `threshold` (default 0.5). The grader is the
 * assertion's `model`, else the suite's `grader`.
 */
import { z } from 'zod';
import { generateObject } from '../../structured/generate-object.js';
import { failed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';
import { graderFor } from './grader.js';

export const modelGradedSpec = z.strictObject({
  type: z.enum(['model-graded', 'llm-rubric']),
  rubric: z.string().min(1),
  threshold: z.number().min(0).max(1).default(0.5),
  model: z.string().min(1).optional(),
  ...baseSpecFields,
});
export type ModelGradedSpec = z.output<typeof modelGradedSpec>;

export const GRADE_SCHEMA = z.object({
  pass: z.boolean().describe('true when the output meets the rubric'),
  score: z.number().min(0).max(1).describe('how well it meets the rubric, 0 to 1'),
  reason: z.string().describe('one or two sentences explaining the grade'),
});

export const GRADER_SYSTEM_PROMPT = [
  'You grade the output of an AI system against a rubric.',
  'Judge only what the rubric asks; do not reward length or style unless the rubric does.',
  'Answer with JSON: {"pass": boolean, "score": number from 0 to 1, "reason": string}.',
].join('\n');

export function modelGradedAssertion(spec: ModelGradedSpec): Assertion {
  return {
    type: spec.type,
    label: spec.label ?? `rubric: ${spec.rubric.length > 50 ? `${spec.rubric.slice(0, 49)}…` : spec.rubric}`,
    async evaluate(output, context) {
      const grader = graderFor(context.services, spec.model);
      if (grader === undefined) return failed('no grader model: set `grader:` in the suite or `model:` on the assertion');
      const { object } = await generateObject({
        model: grader,
        schema: GRADE_SCHEMA,
        schemaName: 'grade',
        system: GRADER_SYSTEM_PROMPT,
        prompt: `<rubric>\n${spec.rubric}\n</rubric>\n\n<output>\n${output.text}\n</output>`,
        settings: { temperature: 0 },
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      });
      const pass = object.pass && object.score >= spec.threshold;
      const reason = `grader: ${object.reason} (score ${object.score.toFixed(2)}${object.pass ? '' : ', judged fail'})`;
      return { pass, score: object.score, reason };
    },
  };
}
