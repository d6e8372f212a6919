/**
 * `is-json`: the output is JSON and, with `schema`, valid against that JSON Schema (validated with
 * zod's JSON Schema support, the same validator structured output uses). By default the whole output
 * must be JSON; `lenient: true` accepts it inside a code fence or prose, as generateObject does.
 */
import { z } from 'zod';
import type { JsonSchema } from '../../core/messages.js';
import { extractJson } from '../../structured/json-extraction.js';
import { jsonSchemaToZod } from '../../structured/output-schema.js';
import { excerpt, failed, passed, type Assertion } from './assertion.js';
import { baseSpecFields } from './common.js';

export const isJsonSpec = z
  .strictObject({ type: z.literal('is-json'), schema: z.record(z.string(), z.unknown()).optional(), lenient: z.boolean().default(false), ...baseSpecFields })
  .superRefine((spec, ctx) => {
    if (spec.schema === undefined) return;
    try {
      jsonSchemaToZod(spec.schema as JsonSchema);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['schema'], message: err instanceof Error ? err.message : String(err) });
    }
  });
export type IsJsonSpec = z.output<typeof isJsonSpec>;

export function isJsonAssertion(spec: IsJsonSpec): Assertion {
  const validator = spec.schema === undefined ? undefined : jsonSchemaToZod(spec.schema as JsonSchema);
  return {
    type: 'is-json',
    label: spec.label ?? (validator === undefined ? 'is-json' : 'is-json (schema)'),
    evaluate(output) {
      let value: unknown;
      if (spec.lenient) {
        const extracted = extractJson(output.text);
        if (!extracted.ok) return failed(`output is not JSON: ${extracted.error}`);
        value = extracted.value;
      } else {
        try {
          value = JSON.parse(output.text.trim()) as unknown;
        } catch (err) {
          return failed(`output ${excerpt(output.text)} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (validator === undefined) return passed('output is valid JSON');
      const checked = validator.safeParse(value);
      if (checked.success) return passed('output is JSON valid against the schema');
      const issues = checked.error.issues.slice(0, 3).map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`);
      return failed(`JSON does not match the schema: ${issues.join('; ')}`, 0.5);
    },
  };
}
