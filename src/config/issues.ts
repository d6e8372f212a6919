/**
 * Turns zod's validation issues into messages a user can act on:
 * `models.fast.deployments[0].weight: expected number, got string "high"`.
 * The offending value is quoted only when its path cannot hold a secret.
 */
import { z } from 'zod';
import type { ConfigPath } from './yaml-source.js';
import { isSecretPath } from './secrets.js';

type ZodIssue = z.core.$ZodIssue;

/** A located, human-readable problem, before the source (file / environment / flag) is attached. */
export interface RawIssue {
  path: (string | number)[];
  message: string;
}

/** `models.fast.deployments[0].weight`; keys that are not plain words are quoted: `prices["llama3.2"]`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function valueAt(root: unknown, path: ConfigPath): unknown {
  let cur: unknown = root;
  for (const segment of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[segment];
  }
  return cur;
}

/** `string "high"`, `number 3`, `a list`; secrets only by type. */
export function describeValue(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return typeof value;
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  int: 'integer',
  number: 'number',
  string: 'string',
  boolean: 'boolean (true or false)',
};

function expectedWord(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

/** The keys an object schema accepts at `path`, for "unknown key" hints; undefined when not an object. */
export function objectKeysAt(schema: z.ZodType, path: ConfigPath): string[] | undefined {
  let cur: z.ZodType | undefined = schema;
  for (let i = 0; i <= path.length && cur; i++) {
    cur = unwrap(cur);
    if (i === path.length) break;
    const segment = path[i];
    if (cur instanceof z.ZodObject) cur = (cur.shape as Record<string, z.ZodType>)[String(segment)];
    else if (cur instanceof z.ZodRecord) cur = cur.valueType as z.ZodType;
    else if (cur instanceof z.ZodArray) cur = cur.element as z.ZodType;
    else return undefined;
  }
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : undefined;
}

/** Looks through default/optional/preprocess wrappers, and into the object branch of a union. */
function unwrap(schema: z.ZodType): z.ZodType {
  let cur = schema;
  for (let guard = 0; guard < 16; guard++) {
    if (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
    else if (cur instanceof z.ZodPipe) cur = cur.out as z.ZodType;
    else if (cur instanceof z.ZodUnion) {
      const obj = (cur.options as z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodObject);
      if (!obj) return cur;
      cur = obj;
    } else return cur;
  }
  return cur;
}

export function zodIssuesToRawIssues(issues: readonly ZodIssue[], data: unknown, schema: z.ZodType, base: (string | number)[] = []): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    const value = valueAt(data, path);
    const secret = isSecretPath(path);
    const got = describeValue(value, secret);
    switch (issue.code) {
      case 'invalid_type': {
        const expected = expectedWord(issue.expected);
        out.push({ path, message: value === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${got}` });
        break;
      }
      case 'too_small':
      case 'too_big': {
        out.push({ path, message: boundMessage(issue, got, value, secret) });
        break;
      }
      case 'invalid_format': {
        const what = issue.format === 'url' ? 'an http(s) URL' : issue.format === 'regex' ? issue.message : `a ${issue.format}`;
        out.push({ path, message: `expected ${what}, got ${got}` });
        break;
      }
      case 'invalid_value': {
        const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
        out.push({ path, message: `expected one of ${options}, got ${got}` });
        break;
      }
      case 'unrecognized_keys': {
        const allowed = objectKeysAt(schema, path);
        for (const key of issue.keys) {
          out.push({ path: [...path, key], message: allowed ? `unknown key (expected one of: ${allowed.join(', ')})` : 'unknown key' });
        }
        break;
      }
      case 'invalid_key': {
        const reasons = issue.issues.map((i) => i.message).join('; ');
        out.push({ path, message: `invalid name: ${reasons}` });
        break;
      }
      case 'invalid_union': {
        out.push(...unionIssues(issue, path, value, got, data, schema));
        break;
      }
      default: {
        out.push({ path, message: `${issue.message}${value === undefined ? '' : `, got ${got}`}` });
      }
    }
  }
  return out;
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, got: string, value: unknown, secret: boolean): string {
  const small = issue.code === 'too_small';
  const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array') {
    const count = Array.isArray(value) ? value.length : 0;
    return small ? `expected at least ${bound} item${Number(bound) === 1 ? '' : 's'}, got ${count}` : `expected at most ${bound} items, got ${count}`;
  }
  if (issue.origin === 'string') {
    return small && Number(bound) === 1 ? `expected a non-empty string, got ${got}` : `expected a string of ${small ? 'at least' : 'at most'} ${bound} characters`;
  }
  const op = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  // A number that arrived as a string ("${PORT}", a flag) is shown as the number it was read as.
  const shown = secret ? got : typeof value === 'number' || typeof value === 'string' ? String(Number(value)) : got;
  return `expected number ${op} ${bound}, got ${shown}`;
}

/**
 * zod reports every union branch's failure. The useful report is the branch the user was writing:
 * the one whose failure is not "wrong type at the root". When none or several match, say what
 * shapes are accepted.
 */
function unionIssues(
  issue: z.core.$ZodIssueInvalidUnion,
  path: (string | number)[],
  value: unknown,
  got: string,
  data: unknown,
  schema: z.ZodType,
): RawIssue[] {
  const branches = issue.errors ?? [];
  const matching = branches.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (matching.length === 1) return zodIssuesToRawIssues(matching[0]!, data, schema, path);
  const shapes = branches
    .map((b) => b.find((i) => i.code === 'invalid_type' && i.path.length === 0))
    .filter((i): i is z.core.$ZodIssueInvalidType => i !== undefined)
    .map((i) => expectedWord(i.expected));
  const expected = shapes.length > 0 ? shapes.join(' or ') : 'a valid value';
  return [{ path, message: value === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${got}` }];
}
