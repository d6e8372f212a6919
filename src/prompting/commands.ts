/**
 * `conduit prompts list|show|diff` as functions that return the text to print; the CLI wires them.
 * Errors are thrown as ConduitError (`not_found` for an unknown prompt or version,
 * `invalid_request` for a bad reference or an invalid file), for the CLI to print and exit non-zero.
 */
import { ConduitError } from '../core/errors.js';
import { diffLoadedPrompts } from './prompt-diff.js';
import { createPromptRegistry, parsePromptRef, type LoadedPrompt, type PromptRegistryOptions } from './registry.js';

export interface PromptsCommandOptions extends PromptRegistryOptions {
  /** Print JSON instead of text. */
  json?: boolean;
}

export async function runPromptsList(options: PromptsCommandOptions = {}): Promise<string> {
  const prompts = await createPromptRegistry(options).list();
  if (options.json === true) return JSON.stringify(prompts, null, 2) + '\n';
  if (prompts.length === 0) return `No prompts under ${createPromptRegistry(options).root}\n`;
  const rows = prompts.map((p) => [p.id, p.latest, p.versions.join(', '), p.owner, p.model, p.description]);
  return table(['PROMPT', 'LATEST', 'VERSIONS', 'OWNER', 'MODEL', 'DESCRIPTION'], rows);
}

export async function runPromptsShow(ref: string, options: PromptsCommandOptions = {}): Promise<string> {
  const prompt = await createPromptRegistry(options).load(ref);
  if (options.json === true) return JSON.stringify(toJson(prompt), null, 2) + '\n';
  return formatPrompt(prompt);
}

/**
 * With two references, diffs them. With one: a reference with a version is diffed against the
 * latest; one without a version diffs the latest against the version before it.
 */
export async function runPromptsDiff(refA: string, refB?: string, options: PromptsCommandOptions = {}): Promise<string> {
  const registry = createPromptRegistry(options);
  let a: LoadedPrompt;
  let b: LoadedPrompt;
  if (refB !== undefined) {
    [a, b] = await Promise.all([registry.load(refA), registry.load(refB)]);
  } else if (parsePromptRef(refA).version !== undefined) {
    [a, b] = await Promise.all([registry.load(refA), registry.load(parsePromptRef(refA).id)]);
  } else {
    b = await registry.load(refA);
    const previous = b.versions[b.versions.length - 2];
    if (previous === undefined) throw new ConduitError('invalid_request', `${b.id} has only one version (${b.version}); nothing to diff against`, { param: 'ref' });
    a = await registry.load(`${b.id}@${previous}`);
  }
  const diff = diffLoadedPrompts(a, b);
  if (options.json === true) return JSON.stringify({ from: diff.from, to: diff.to, frontMatter: diff.frontMatter, body: diff.body }, null, 2) + '\n';
  return diff.text;
}

export function formatPrompt(prompt: LoadedPrompt): string {
  const { meta } = prompt;
  const lines = [
    `${prompt.ref}  (${prompt.file})`,
    `description: ${meta.description}`,
    `owner:       ${meta.owner}`,
    `model:       ${meta.model}`,
    `versions:    ${prompt.versions.join(', ')}`,
    'variables:',
  ];
  const variables = Object.entries(meta.variables);
  if (variables.length === 0) lines.push('  (none)');
  for (const [name, spec] of variables) {
    const s = typeof spec === 'string' ? { type: spec } : spec;
    const flags = [s.type, ...('default' in s && s.default !== undefined ? [`default ${JSON.stringify(s.default)}`] : 'optional' in s && s.optional === true ? ['optional'] : [])];
    lines.push(`  ${name} (${flags.join(', ')})${'description' in s && s.description !== undefined ? `: ${s.description}` : ''}`);
  }
  lines.push('evaluation criteria:', ...meta.evaluation.criteria.map((c) => `  - ${c}`));
  lines.push('changelog:', ...meta.changelog.map((e) => `  ${e.version} (${e.date}): ${e.note}`));
  lines.push('', '---', prompt.body.replace(/\n+$/, ''));
  return lines.join('\n') + '\n';
}

function toJson(prompt: LoadedPrompt): Record<string, unknown> {
  return { id: prompt.id, version: prompt.version, ref: prompt.ref, file: prompt.file, versions: prompt.versions, meta: prompt.meta, body: prompt.body };
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ')).join('\n') + '\n';
}
