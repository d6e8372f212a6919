/**
 * What changed between two prompt versions: the front matter field by field, and the body as a
 * unified line diff.
 */
import type { PromptMeta } from './front-matter.js';
import { unifiedDiff } from './line-diff.js';
import { createPromptRegistry, type LoadedPrompt, type PromptRegistryOptions } from './registry.js';

export interface FrontMatterChange {
  /** Dotted path: `model`, `variables.ticket`; `[]` marks one item added to or removed from a list (`evaluation.criteria[]`, `changelog[]`). */
  field: string;
  /** JSON of the old value; undefined when the field was added. */
  before: string | undefined;
  /** JSON of the new value; undefined when the field was removed. */
  after: string | undefined;
}

export interface PromptDiff {
  from: string;
  to: string;
  frontMatter: FrontMatterChange[];
  /** Unified diff of the bodies; the empty string when they are equal. */
  body: string;
  /** Everything above as printable text. */
  text: string;
}

const FIELD_ORDER: readonly (keyof PromptMeta)[] = ['name', 'version', 'owner', 'model', 'description', 'variables', 'evaluation', 'changelog'];

export async function diffPrompts(refA: string, refB: string, options: PromptRegistryOptions = {}): Promise<PromptDiff> {
  const registry = createPromptRegistry(options);
  const [a, b] = await Promise.all([registry.load(refA), registry.load(refB)]);
  return diffLoadedPrompts(a, b);
}

export function diffLoadedPrompts(a: LoadedPrompt, b: LoadedPrompt): PromptDiff {
  const frontMatter = diffMeta(a.meta, b.meta);
  const body = unifiedDiff(a.body, b.body, { fromLabel: a.ref, toLabel: b.ref });
  const lines = [`${a.ref} -> ${b.ref}`, '', 'front matter:'];
  if (frontMatter.length === 0) lines.push('  (no changes)');
  for (const change of frontMatter) {
    if (change.before === undefined) lines.push(`  + ${change.field}: ${change.after ?? ''}`);
    else if (change.after === undefined) lines.push(`  - ${change.field}: ${change.before}`);
    else lines.push(`  ~ ${change.field}: ${change.before} -> ${change.after}`);
  }
  lines.push('', 'body:');
  lines.push(body === '' ? '  (no changes)' : body.replace(/\n$/, ''));
  return { from: a.ref, to: b.ref, frontMatter, body, text: lines.join('\n') + '\n' };
}

/**
 * Objects one level deep are compared key by key (`variables.ticket`), so a new variable shows as
 * one line rather than the whole map; lists (criteria, changelog) item by item, so a new changelog
 * entry is one `+` line; scalars whole.
 */
function diffMeta(a: PromptMeta, b: PromptMeta): FrontMatterChange[] {
  const changes: FrontMatterChange[] = [];
  for (const field of FIELD_ORDER) {
    const before: unknown = a[field];
    const after: unknown = b[field];
    if (isPlainObject(before) && isPlainObject(after)) {
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
      for (const key of keys) diffValue(changes, `${field}.${key}`, before[key], after[key]);
    } else {
      diffValue(changes, field, before, after);
    }
  }
  return changes;
}

function diffValue(changes: FrontMatterChange[], field: string, before: unknown, after: unknown): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const x = before.map((item) => JSON.stringify(item));
    const y = after.map((item) => JSON.stringify(item));
    for (const item of x) if (!y.includes(item)) changes.push({ field: `${field}[]`, before: item, after: undefined });
    for (const item of y) if (!x.includes(item)) changes.push({ field: `${field}[]`, before: undefined, after: item });
  } else {
    pushIfChanged(changes, field, before, after);
  }
}

function pushIfChanged(changes: FrontMatterChange[], field: string, before: unknown, after: unknown): void {
  const x = before === undefined ? undefined : JSON.stringify(before);
  const y = after === undefined ? undefined : JSON.stringify(after);
  if (x !== y) changes.push({ field, before: x, after: y });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
