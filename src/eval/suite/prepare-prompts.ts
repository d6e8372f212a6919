/**
 * Turns the suite's prompt entries into templates: inline ones compiled here (placeholders not given
 * a type are strings), registry ones loaded from ./prompts by `<domain>/<name>[@version]`.
 */
import { ConduitError } from '../../core/errors.js';
import type { PromptRegistry } from '../../prompting/registry.js';
import { definePrompt, type PromptTemplate, type VariableType } from '../../prompting/template.js';
import { INVALID_SUITE } from './load-suite.js';
import type { Message } from '../../core/messages.js';
import type { EvalCaseSpec, PromptEntry } from './suite-schema.js';

export interface PreparedPrompt {
  /** How reports name it: the entry's label, the registry ref, `recorded`, or `prompt-<n>`. */
  label: string;
  /** The messages for one case; throws ConduitError('invalid_request') for missing or mistyped variables. */
  render(testCase: EvalCaseSpec): Message[];
}

const PLACEHOLDER = /(?<!\\)\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export async function preparePrompts(entries: readonly PromptEntry[], registry: PromptRegistry | undefined): Promise<PreparedPrompt[]> {
  const prepared: PreparedPrompt[] = [];
  for (const [i, entry] of entries.entries()) {
    if ('ref' in entry) {
      if (registry === undefined) throw new ConduitError('invalid_request', `prompts[${i}]: ${entry.ref} needs the prompt registry`, { code: INVALID_SUITE });
      const loaded = await registry.load(entry.ref);
      prepared.push({ label: entry.label ?? loaded.ref, render: (c) => loaded.template.renderMessages(declaredVars(loaded.template, c.vars)) });
      continue;
    }
    if ('case_messages' in entry) {
      prepared.push({ label: entry.label ?? 'recorded', render: (c) => recordedMessages(c) });
      continue;
    }
    const label = entry.label ?? `prompt-${i + 1}`;
    const variables: Record<string, VariableType> = {};
    for (const match of entry.template.matchAll(PLACEHOLDER)) variables[match[1] as string] = 'string';
    Object.assign(variables, entry.variables ?? {});
    try {
      const template = definePrompt({ template: entry.template, variables, name: label }) as PromptTemplate<Record<string, unknown>>;
      prepared.push({ label, render: (c) => template.renderMessages(declaredVars(template, c.vars)) });
    } catch (err) {
      throw new ConduitError('invalid_request', `prompts[${i}]: ${err instanceof Error ? err.message : String(err)}`, { code: INVALID_SUITE, cause: err });
    }
  }
  const labels = new Set<string>();
  for (const p of prepared) {
    if (labels.has(p.label)) throw new ConduitError('invalid_request', `two prompts are labelled "${p.label}": give them distinct labels`, { code: INVALID_SUITE });
    labels.add(p.label);
  }
  return prepared;
}

function recordedMessages(testCase: EvalCaseSpec): Message[] {
  if (testCase.messages === undefined) throw new ConduitError('invalid_request', 'a case_messages prompt needs the case to have `messages`', { code: INVALID_SUITE });
  return testCase.messages.map((m) => (m.role === 'assistant' ? { role: 'assistant', content: m.content } : { role: m.role, content: m.content }));
}

/**
 * The case's variables that the template declares. Cases are shared by every prompt of the matrix,
 * and prompts may use different subsets of them, so extra variables are not an error here (missing
 * or mistyped ones still are).
 */
function declaredVars(template: PromptTemplate<Record<string, unknown>>, vars: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of template.variableNames) if (Object.hasOwn(vars, name)) out[name] = vars[name];
  return out;
}
