/**
 * The virtual key record and the validated inputs that create and change it. Times are ISO 8601
 * strings so a record is plain JSON: the `/admin/keys` routes can return it as-is.
 */
import { z } from 'zod';
import { ConduitError } from '../core/errors.js';

export type BudgetWindowName = 'hour' | 'day' | 'month';
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface KeyLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export interface KeyBudget {
  window: BudgetWindowName;
  limitUsd: number;
}

export interface KeyRecord {
  /** The public key id (the middle part of `ck-<id>-<secret>`). */
  id: string;
  name: string;
  ownerUserId: string | null;
  team: string | null;
  /** Model names, aliases or globs (`openai/*`, `gpt-4o*`). Empty means every model. */
  allowedModels: string[];
  limits: KeyLimits;
  budgets: KeyBudget[];
  /** Opaque guardrails policy the gateway hands to the guardrails module; null for the default policy. */
  guardrails: JsonValue | null;
  metadata: Record<string, JsonValue>;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The key this one replaced through `rotate`. */
  rotatedFrom: string | null;
  /** When the key last authenticated; written in batches, so it may lag by the flush interval. */
  lastUsedAt: string | null;
}

const MODEL_PATTERN = /^[^\s]{1,256}$/;

const jsonValue = z.json();
const timestamp = z.union([z.iso.datetime({ offset: true }), z.date(), z.number().int().nonnegative()], {
  error: 'must be an ISO 8601 timestamp, a Date or epoch milliseconds',
});

const limitsSchema = z.strictObject({
  requestsPerMinute: z.number().int().positive().optional(),
  tokensPerMinute: z.number().int().positive().optional(),
});

const budgetsSchema = z
  .array(
    z.strictObject({
      window: z.enum(['hour', 'day', 'month']),
      limitUsd: z.number().finite().nonnegative(),
    }),
  )
  .max(3)
  .refine((list) => new Set(list.map((b) => b.window)).size === list.length, 'at most one budget per window');

const allowedModelsSchema = z
  .array(z.string().regex(MODEL_PATTERN, 'must be a model name, alias or glob without spaces (1-256 characters)'))
  .max(1000);

const metadataSchema = z
  .record(z.string(), jsonValue)
  .refine((m) => JSON.stringify(m).length <= 16_384, 'must serialise to at most 16 KiB of JSON');

const identifier = z.string().min(1).max(256);

export const createKeyInputSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  ownerUserId: identifier.optional(),
  team: identifier.optional(),
  allowedModels: allowedModelsSchema.optional(),
  limits: limitsSchema.optional(),
  budgets: budgetsSchema.optional(),
  guardrails: jsonValue.optional(),
  metadata: metadataSchema.optional(),
  /** Must lie in the future. */
  expiresAt: timestamp.optional(),
});

/** Every field optional; `null` clears ownerUserId, team, guardrails and expiresAt. */
export const updateKeyInputSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    ownerUserId: identifier.nullable().optional(),
    team: identifier.nullable().optional(),
    allowedModels: allowedModelsSchema.optional(),
    limits: limitsSchema.optional(),
    budgets: budgetsSchema.optional(),
    guardrails: jsonValue.nullable().optional(),
    metadata: metadataSchema.optional(),
    expiresAt: timestamp.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'the update names no field to change');

export type CreateKeyInput = z.input<typeof createKeyInputSchema>;
export type UpdateKeyInput = z.input<typeof updateKeyInputSchema>;
export type ParsedCreateKeyInput = z.output<typeof createKeyInputSchema>;
export type ParsedUpdateKeyInput = z.output<typeof updateKeyInputSchema>;

/**
 * Validates with a schema and turns zod's issues into one `invalid_request` error that names every
 * offending field (`param` is the first), e.g. `limits.requestsPerMinute: Too small: expected number to be >0`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { path, text: path === '' ? issue.message : `${path}: ${issue.message}` };
  });
  return throwInvalid(`Invalid ${what}: ${issues.map((i) => i.text).join('; ')}`, issues[0]?.path, result.error);
}

function throwInvalid(message: string, param: string | undefined, cause: unknown): never {
  throw new ConduitError('invalid_request', message, { param: param === '' ? undefined : param, cause, code: 'invalid_key_input' });
}

export function toEpochMs(value: string | Date | number): number {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return Date.parse(value);
}
