/**
 * GuardrailPolicy: a plain, zod-validated config object, the same whether written in code or
 * embedded per key in conduit.yaml. Every field has a default, so `{}` is a valid policy (injection
 * blocking, PII anonymisation, content filter with its default actions).
 *
 * The keys are camelCase as in the library API; a snake_case YAML section can be mapped onto it by
 * the config loader.
 */
import { z } from 'zod';
import { BUILTIN_CONTENT_CATEGORIES, DEFAULT_CONTENT_ACTIONS, type BuiltinContentCategory } from './content.js';
import { PII_ENTITIES, type PiiEntity } from './pii.js';

const unit = () => z.number().min(0).max(1);

const ruleOverrideSchema = z.object({ enabled: z.boolean().optional(), weight: unit().optional() }).strict();

export const injectionPolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** block: refuse at blockThreshold, flag at flagThreshold. flag: never refuse, report. allow: detect and report only allow/score. */
    action: z.enum(['block', 'flag', 'allow']).default('block'),
    flagThreshold: unit().default(0.4),
    blockThreshold: unit().default(0.7),
    /** Total characters of user and tool content; over it is a length attack. */
    maxInputChars: z.number().int().positive().default(100_000),
    /** Estimated tokens (chars / 4) of user and tool content; off unless set. */
    maxInputTokens: z.number().int().positive().optional(),
    /** Per-rule overrides by rule id (see listInjectionRules()). */
    rules: z.record(z.string(), ruleOverrideSchema).default({}),
    /** Which message roles are scanned. System prompts are the deployer's own and are trusted. */
    roles: z.array(z.enum(['user', 'tool', 'assistant', 'system'])).default(['user', 'tool']),
  })
  .strict()
  .refine((p) => p.flagThreshold <= p.blockThreshold, { message: 'flagThreshold must not exceed blockThreshold', path: ['flagThreshold'] });

export const piiPolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    action: z.enum(['mask', 'redact', 'anonymise']).default('anonymise'),
    entities: z
      .array(z.enum(PII_ENTITIES as [PiiEntity, ...PiiEntity[]]))
      .default([...PII_ENTITIES]),
    /** Also scan the model's output for PII (masked, or redacted when the action is anonymise/redact). */
    scanOutput: z.boolean().default(false),
  })
  .strict();

const contentActionSchema = z.enum(['block', 'flag', 'off']);

export const contentPolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    categories: z
      .object(Object.fromEntries(BUILTIN_CONTENT_CATEGORIES.map((c) => [c, contentActionSchema.default(DEFAULT_CONTENT_ACTIONS[c])])) as Record<BuiltinContentCategory, z.ZodDefault<typeof contentActionSchema>>)
      .strict()
      .prefault({}),
    custom: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]*$/, 'category names are lowercase snake_case'),
        z
          .object({
            keywords: z.array(z.string().min(1)).optional(),
            patterns: z.array(z.string().min(1).refine(isValidRegex, 'not a valid regular expression')).optional(),
            action: z.enum(['block', 'flag']).default('block'),
          })
          .strict(),
      )
      .default({}),
    /** Check the model's output against the content categories too. */
    scanOutput: z.boolean().default(true),
    /** Refuse a response that repeats a long verbatim run of the system prompt. */
    systemPromptLeak: z
      .object({ enabled: z.boolean().default(true), minWords: z.number().int().min(4).default(12) })
      .strict()
      .prefault({}),
  })
  .strict();

function isValidRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const guardrailPolicySchema = z
  .object({
    injection: injectionPolicySchema.prefault({}),
    pii: piiPolicySchema.prefault({}),
    content: contentPolicySchema.prefault({}),
  })
  .strict();

/** A validated policy with every default filled in. */
export type GuardrailPolicy = z.output<typeof guardrailPolicySchema>;
/** What a user may write: every field optional. */
export type GuardrailPolicyInput = z.input<typeof guardrailPolicySchema>;

/** Validates and fills defaults; throws a ZodError naming the bad field. */
export function parseGuardrailPolicy(input: unknown): GuardrailPolicy {
  return guardrailPolicySchema.parse(input ?? {});
}
