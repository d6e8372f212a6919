/**
 * Runbooks: YAML files that say which incidents they fit, the human steps, and at most one
 * automated action with its base risk. Loaded from a directory (`incident.remediation.runbooks_dir`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConduitError } from '../../../core/errors.js';

const actionSchema = z.strictObject({
  /** The name the allow-list (`incident.remediation.allowed_actions`) refers to. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, . _ -'),
  /** `http`: POST to `url` with `body`; `noop`: records what would run (drills, dry runs). */
  type: z.enum(['http', 'noop']),
  url: z.string().url().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** String values may use {{incident_id}}, {{service}}, {{severity}} and {{label.<name>}}. */
  body: z.record(z.string(), z.unknown()).default({}),
});

export const runbookSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    title: z.string().min(1),
    description: z.string().default(''),
    match: z
      .strictObject({
        alertnames: z.array(z.string()).default([]),
        categories: z.array(z.string()).default([]),
        labels: z.record(z.string(), z.string()).default({}),
      })
      .default({ alertnames: [], categories: [], labels: {} }),
    steps: z.array(z.string()).default([]),
    action: actionSchema.optional(),
    /** Risk of the action before context is considered, 0..1. */
    risk: z.number().min(0).max(1).default(0.5),
  })
  .refine((r) => r.action?.type !== 'http' || r.action.url !== undefined, { message: 'an http action needs a url' });

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookAction = NonNullable<Runbook['action']>;

export interface RunbookMatchInput {
  alertNames: readonly string[];
  category: string | null;
  labels: readonly Record<string, string>[];
}

/** A runbook fits when every criterion it sets is met (an alert name or category in its list, its labels on some alert). */
export function runbookMatches(runbook: Runbook, input: RunbookMatchInput): boolean {
  const { alertnames, categories, labels } = runbook.match;
  if (alertnames.length === 0 && categories.length === 0 && Object.keys(labels).length === 0) return false;
  if (alertnames.length > 0 && !input.alertNames.some((n) => alertnames.includes(n))) return false;
  if (categories.length > 0 && (input.category === null || !categories.includes(input.category))) return false;
  if (Object.keys(labels).length > 0 && !input.labels.some((l) => Object.entries(labels).every(([k, v]) => l[k] === v))) return false;
  return true;
}

export function parseRunbook(text: string, origin: string): Runbook {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConduitError('invalid_request', `Runbook ${origin} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`, { code: 'invalid_runbook' });
  }
  const parsed = runbookSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConduitError('invalid_request', `Runbook ${origin}: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`, { code: 'invalid_runbook' });
  }
  return parsed.data;
}

/** Every `*.yaml` / `*.yml` in `dir`, sorted by file name; duplicate ids are refused. */
export async function loadRunbooks(dir: string): Promise<Runbook[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: Runbook[] = [];
  const ids = new Set<string>();
  for (const f of files) {
    const rb = parseRunbook(await readFile(join(dir, f), 'utf8'), join(dir, f));
    if (ids.has(rb.id)) throw new ConduitError('invalid_request', `Runbook id '${rb.id}' is used twice (${f})`, { code: 'invalid_runbook' });
    ids.add(rb.id);
    out.push(rb);
  }
  return out;
}
