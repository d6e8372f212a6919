/**
 * One shape for both kinds of schema a caller may give: a zod schema (typed result) or a plain
 * JSON Schema object. Each becomes a JSON Schema (sent to the model: response format, tool
 * parameters or prompt) plus a validator. A JSON Schema is validated by converting it with zod's
 * own `z.fromJSONSchema` (zod ≥ 4.2), so both paths report issues in the same form.
 */
import { z } from 'zod';
import { ConduitError } from '../core/errors.js';
import type { JsonSchema } from '../core/messages.js';

/** Either a zod schema or a JSON Schema object. */
export type SchemaInput = z.ZodType | JsonSchema;

/** The validated object's type: zod's output type, or `unknown` for a plain JSON Schema. */
export type ObjectOf<S> = S extends z.ZodType ? z.output<S> : unknown;

export interface ValidationIssue {
  /** Where in the object, e.g. `items[2].price`; `(root)` for the value itself. */
  path: string;
  message: string;
}

export type ValidationOutcome<T> = { success: true; data: T } | { success: false; issues: ValidationIssue[] };

export interface OutputSchema<T> {
  jsonSchema: JsonSchema;
  validate(value: unknown): ValidationOutcome<T>;
}

export function isZodSchema(schema: unknown): schema is z.ZodType {
  return schema instanceof z.ZodType || (typeof schema === 'object' && schema !== null && '_zod' in schema && typeof (schema as { safeParse?: unknown }).safeParse === 'function');
}

export function toOutputSchema<S extends SchemaInput>(schema: S): OutputSchema<ObjectOf<S>> {
  if (isZodSchema(schema)) {
    return { jsonSchema: zodToJsonSchema(schema), validate: (value) => validateWith(schema, value) as ValidationOutcome<ObjectOf<S>> };
  }
  const validator = jsonSchemaToZod(schema);
  return { jsonSchema: schema, validate: (value) => validateWith(validator, value) as ValidationOutcome<ObjectOf<S>> };
}

/** Converts a JSON Schema into a zod validator; an unsupported schema is the caller's error. */
export function jsonSchemaToZod(schema: JsonSchema): z.ZodType {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    throw new ConduitError('invalid_request', `Unsupported JSON Schema: ${err instanceof Error ? err.message : String(err)}`, { cause: err, param: 'schema' });
  }
}

function zodToJsonSchema(schema: z.ZodType): JsonSchema {
  // `unrepresentable: 'any'` keeps schemas with transforms or dates usable: those parts are left
  // open to the model and checked by zod anyway.
  const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
  const { $schema: _ignored, ...rest } = json;
  return rest;
}

function validateWith(schema: z.ZodType, value: unknown): ValidationOutcome<unknown> {
  const result = schema.safeParse(value);
  if (result.success) return { success: true, data: result.data };
  return { success: false, issues: result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) };
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * True when OpenAI's strict structured-output mode can take the schema as-is: every object closes
 * its properties (`additionalProperties: false`) and requires all of them. Otherwise the schema is
 * sent non-strict, and validation here does the enforcing.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (typeof schema !== 'object' || schema === null) return true;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' || node.properties !== undefined) {
    if (node.additionalProperties !== false) return false;
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    const required = Array.isArray(node.required) ? node.required : [];
    if (Object.keys(properties).some((key) => !required.includes(key))) return false;
  }
  return Object.values(node).every(isStrictCompatible);
}
