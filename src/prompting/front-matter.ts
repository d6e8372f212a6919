/**
 * A prompt file: YAML front matter between `---` lines, then the body (the template). The front
 * matter is validated field by field so an error names the file and the field at fault.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConduitError } from '../core/errors.js';
import { isSemver } from './semver.js';
import type { VariableSpec, VariableType } from './template.js';

export interface ChangelogEntry {
  version: string;
  /** `YYYY-MM-DD`. */
  date: string;
  note: string;
}

export interface PromptMeta {
  /** `<domain>/<name>`, equal to the file's place under the prompts root. */
  name: string;
  /** Semantic version of this prompt text. */
  version: string;
  owner: string;
  /** The model (alias or `provider/model`) the prompt was written and evaluated for. */
  model: string;
  description: string;
  variables: Record<string, VariableType | VariableSpec>;
  evaluation: { criteria: string[] };
  /** Newest first by convention; must contain an entry for `version`. */
  changelog: ChangelogEntry[];
}

// `version: 1.2` reads as a YAML number; turning it back into text gives the semver message rather than a type error.
const semver = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().refine(isSemver, { message: 'must be a semantic version like 1.2.0' }));
const nonEmpty = z.string().trim().min(1, { message: 'must be a non-empty string' });
const variableType = z.enum(['string', 'number', 'boolean', 'list']);
const variableSpec = z.strictObject({
  type: variableType,
  description: z.string().optional(),
  optional: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
});
// YAML reads an unquoted 2025-01-31 as a string with the default (core) schema; a Date is accepted too in case a custom schema made one.
const isoDate = z.union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))]).refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s), { message: 'must be a date YYYY-MM-DD' });

const metaSchema = z.strictObject({
  name: nonEmpty,
  version: semver,
  owner: nonEmpty,
  model: nonEmpty,
  description: nonEmpty,
  variables: z.record(z.string(), z.union([variableType, variableSpec])).optional().default({}),
  evaluation: z.strictObject({ criteria: z.array(nonEmpty).min(1, { message: 'must list at least one criterion' }) }),
  changelog: z.array(z.strictObject({ version: semver, date: isoDate, note: nonEmpty })).min(1, { message: 'must have at least one entry' }),
});

export interface ParsedPromptFile {
  meta: PromptMeta;
  body: string;
}

/**
 * Parses and validates a prompt file. `displayPath` is used in error messages; `expectedName` is the
 * `<domain>/<name>` the file's location implies, `expectedVersion` the version its file name implies.
 */
export function parsePromptFile(text: string, displayPath: string, expected: { name: string; version?: string }): ParsedPromptFile {
  const fail = (field: string | undefined, message: string, cause?: unknown): never => {
    throw new ConduitError('invalid_request', `${displayPath}: ${field === undefined ? '' : `front matter field "${field}" `}${message}`, {
      ...(field === undefined ? {} : { param: field }),
      ...(cause === undefined ? {} : { cause }),
    });
  };
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(normalised);
  if (match === null) return fail(undefined, 'missing front matter (the file must start with a "---" line, the YAML, then a closing "---" line)');
  let raw: unknown;
  try {
    raw = parseYaml(match[1] ?? '');
  } catch (err) {
    return fail(undefined, `front matter is not valid YAML: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail(undefined, 'front matter must be a YAML mapping');
  const parsed = metaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? undefined : issue.path.map(String).join('.');
    if (issue?.code === 'unrecognized_keys') return fail(undefined, `unknown front matter field(s): ${issue.keys.join(', ')}`, parsed.error);
    const value = field === undefined ? undefined : valueAt(raw, issue?.path ?? []);
    const message = issue?.message ?? 'invalid';
    return fail(field, value === undefined ? 'is missing' : message.startsWith('must') ? message : `is invalid: ${message}`, parsed.error);
  }
  const meta: PromptMeta = parsed.data;
  if (meta.name !== expected.name) fail('name', `is "${meta.name}" but the file's location makes it "${expected.name}"`);
  if (expected.version !== undefined && meta.version !== expected.version) fail('version', `is ${meta.version} but the file name says ${expected.version}`);
  if (!meta.changelog.some((entry) => entry.version === meta.version)) fail('changelog', `has no entry for version ${meta.version}`);
  return { meta, body: normalised.slice(match[0].length) };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

