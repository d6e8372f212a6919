/**
 * The versioned prompt registry seen as MCP prompts.
 *
 * - A prompt's MCP name is its registry id (`support/triage`); `prompts/get` also accepts a pinned
 *   version (`support/triage@1.0.0`). The listing shows the latest version of each prompt.
 * - MCP arguments are strings, so each declared variable becomes an argument and its value is
 *   converted to the variable's type: numbers must parse as finite numbers, booleans are
 *   `true`/`false`, lists are a JSON array of strings or one item per line. The template then
 *   checks the values as it always does (missing required, undeclared, wrong type: invalid params).
 * - MCP prompt messages have only the roles user and assistant, so a `[system]` section is sent as
 *   a user message (its text unchanged); the prompt's description says so when that happens.
 */
import type { GetPromptResult, Prompt, PromptArgument } from '@modelcontextprotocol/sdk/types.js';
import { contentText, type Message } from '../core/messages.js';
import { ConduitError } from '../core/errors.js';
import type { LoadedPrompt, PromptRegistry } from '../prompting/registry.js';
import type { VariableSpec, VariableType } from '../prompting/template.js';

export async function listRegistryPrompts(registry: PromptRegistry): Promise<Prompt[]> {
  const out: Prompt[] = [];
  for (const summary of await registry.list()) {
    const loaded = await registry.load(`${summary.id}@${summary.latest}`);
    out.push({ name: summary.id, title: `${summary.id}@${summary.latest}`, description: summary.description, arguments: promptArguments(loaded) });
  }
  return out;
}

export async function getRegistryPrompt(registry: PromptRegistry, name: string, args: Record<string, string>): Promise<GetPromptResult> {
  const loaded = await registry.load(name);
  const variables = convertArguments(loaded, args);
  const messages = loaded.template.renderMessages(variables);
  return {
    description: `${loaded.ref}: ${loaded.meta.description}`,
    messages: messages.map(toPromptMessage),
  };
}

function promptArguments(loaded: LoadedPrompt): PromptArgument[] {
  return Object.entries(loaded.meta.variables).map(([name, raw]) => {
    const spec = normalise(raw);
    const optional = spec.optional === true || spec.default !== undefined;
    const typeNote = spec.type === 'string' ? '' : ` (${spec.type}${spec.type === 'list' ? ': a JSON array or one item per line' : ''})`;
    return { name, description: `${spec.description ?? name}${typeNote}`, required: !optional };
  });
}

function convertArguments(loaded: LoadedPrompt, args: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    const raw = loaded.meta.variables[name];
    // Undeclared arguments are passed through so the template reports them with its usual message.
    out[name] = raw === undefined ? value : convert(loaded.ref, name, normalise(raw).type, value);
  }
  return out;
}

function convert(ref: string, name: string, type: VariableType, value: string): unknown {
  switch (type) {
    case 'string':
      return value;
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw badArgument(ref, name, `expected a number, got "${value}"`);
      return n;
    }
    case 'boolean':
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw badArgument(ref, name, `expected true or false, got "${value}"`);
    case 'list':
      return parseList(ref, name, value);
  }
}

function parseList(ref: string, name: string, value: string): string[] {
  if (value.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw badArgument(ref, name, 'expected a JSON array of strings');
    }
    if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string')) throw badArgument(ref, name, 'expected a JSON array of strings');
    return parsed;
  }
  return value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function badArgument(ref: string, name: string, problem: string): ConduitError {
  return new ConduitError('invalid_request', `${ref}: argument '${name}': ${problem}`, { param: name, code: 'invalid_prompt_argument' });
}

function normalise(raw: VariableType | VariableSpec): VariableSpec {
  return typeof raw === 'string' ? { type: raw } : raw;
}

function toPromptMessage(message: Message): GetPromptResult['messages'][number] {
  const role = message.role === 'assistant' ? 'assistant' : 'user';
  return { role, content: { type: 'text', text: contentText(message.content) } };
}
