/**
 * Prompt templates with declared, typed variables.
 *
 * Syntax
 * - `{{name}}` (spaces inside the braces allowed: `{{ name }}`) is replaced by the variable's value.
 *   Names are identifiers: a letter or `_`, then letters, digits or `_`.
 * - `\{{` writes a literal `{{` (the backslash is removed); nothing else is an escape.
 * - Values are inserted verbatim and never re-scanned, so a value that itself contains `{{x}}`
 *   (user input, retrieved text) cannot pull in another variable.
 * - A line that is exactly `[system]`, `[user]` or `[assistant]` starts a message of that role, so
 *   one template can render to a messages array. The markers are found in the template before any
 *   value is inserted: a value containing `[system]` cannot open a system message.
 *
 * Values: strings as they are, numbers and booleans with `String()`, lists as one `- item` line per
 * element, an omitted optional variable without a default as the empty string.
 *
 * Checks, all before anything is sent to a model: a placeholder naming an undeclared variable fails
 * `definePrompt`; `render` fails for a missing required variable, an undeclared (extra) variable, or
 * a value of the wrong type, with a ConduitError('invalid_request') whose message and `param` name
 * the variable.
 */
import { z } from 'zod';
import { ConduitError } from '../core/errors.js';
import type { Message } from '../core/messages.js';

export type VariableType = 'string' | 'number' | 'boolean' | 'list';

export interface VariableSpec {
  type: VariableType;
  description?: string;
  /** An optional variable may be omitted; it then renders as its default, or as the empty string. */
  optional?: boolean;
  /** Implies `optional`. Must match `type`. */
  default?: string | number | boolean | string[];
}

/** The simple spec: `{ ticket: 'string', tags: { type: 'list', optional: true } }`. */
export type VariablesSpec = Readonly<Record<string, VariableType | VariableSpec>>;

type ValueOf<T extends VariableType> = T extends 'string' ? string : T extends 'number' ? number : T extends 'boolean' ? boolean : string[];
type EntryType<E> = E extends VariableType ? E : E extends { type: infer T extends VariableType } ? T : never;
type IsOptional<E> = E extends { optional: true } ? true : E extends { default: unknown } ? true : false;

/** The variables object a simple spec accepts, e.g. `{ ticket: string; tags?: string[] }`. */
export type InferVariables<S extends VariablesSpec> = {
  [K in keyof S as IsOptional<S[K]> extends true ? never : K]: ValueOf<EntryType<S[K]>>;
} & {
  [K in keyof S as IsOptional<S[K]> extends true ? K : never]?: ValueOf<EntryType<S[K]>>;
};

export type MessageRole = 'system' | 'user' | 'assistant';

export interface PromptDefinition<S> {
  template: string;
  /** A zod object schema, or the simple spec. Omitted: the template takes no variables. */
  variables?: S;
  /** Used in error messages, e.g. `support/triage@1.2.0`. */
  name?: string;
  /** The role of a template without role markers when rendered to messages. Default `user`. */
  defaultRole?: MessageRole;
}

export interface PromptTemplate<V> {
  readonly name: string | undefined;
  readonly template: string;
  /** Declared variable names, in declaration order. */
  readonly variableNames: readonly string[];
  /** Checks the variables (see the module comment) and returns them with defaults applied. */
  validate(variables: V): Record<string, unknown>;
  /** The whole template as text; role marker lines, if any, are kept as they are. */
  render(variables: V): string;
  /** One message per role section (or one `defaultRole` message when there are no markers). */
  renderMessages(variables: V): Message[];
}

type Segment = { kind: 'text'; text: string } | { kind: 'variable'; name: string };
interface Section {
  /** Undefined for a template without role markers. */
  role: MessageRole | undefined;
  marker: string | undefined;
  segments: Segment[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROLE_MARKER = /^\[(system|user|assistant)\][ \t]*$/;

export function definePrompt<S extends z.ZodObject>(definition: PromptDefinition<S> & { variables: S }): PromptTemplate<z.input<S>>;
export function definePrompt<const S extends VariablesSpec>(definition: PromptDefinition<S>): PromptTemplate<InferVariables<S>>;
export function definePrompt(definition: PromptDefinition<z.ZodObject | VariablesSpec>): PromptTemplate<Record<string, unknown>> {
  const label = definition.name === undefined ? 'Prompt template' : `Prompt "${definition.name}"`;
  const { schema, names } = toSchema(definition.variables ?? {}, label);
  const sections = parseSections(definition.template, label);
  for (const section of sections) {
    for (const segment of section.segments) {
      if (segment.kind === 'variable' && !names.includes(segment.name)) {
        throw new ConduitError('invalid_request', `${label}: variable "${segment.name}" is used in the template ({{${segment.name}}}) but is not a declared variable (declared: ${names.join(', ') || 'none'})`, {
          param: segment.name,
        });
      }
    }
  }
  const defaultRole = definition.defaultRole ?? 'user';

  const validate = (variables: Record<string, unknown>): Record<string, unknown> => {
    if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
      throw new ConduitError('invalid_request', `${label}: variables must be an object`);
    }
    for (const key of Object.keys(variables)) {
      if (!names.includes(key)) {
        throw new ConduitError('invalid_request', `${label}: variable "${key}" is not declared (declared: ${names.join(', ') || 'none'})`, { param: key });
      }
    }
    const parsed = schema.safeParse(variables);
    if (parsed.success) return parsed.data as Record<string, unknown>;
    const issue = parsed.error.issues[0];
    const key = issue === undefined ? undefined : issue.path[0];
    const variable = typeof key === 'string' ? key : undefined;
    if (variable !== undefined && variables[variable] === undefined) {
      throw new ConduitError('invalid_request', `${label}: required variable "${variable}" is missing`, { param: variable, cause: parsed.error });
    }
    const expected = issue !== undefined && issue.code === 'invalid_type' ? `expected ${issue.expected}, got ${describe(variable === undefined ? undefined : variables[variable])}` : (issue?.message ?? 'invalid');
    throw new ConduitError('invalid_request', `${label}: variable "${variable ?? '?'}" has the wrong type: ${expected}`, {
      ...(variable === undefined ? {} : { param: variable }),
      cause: parsed.error,
    });
  };

  const renderSection = (section: Section, values: Record<string, unknown>): string =>
    section.segments.map((s) => (s.kind === 'text' ? s.text : formatValue(values[s.name]))).join('');

  return {
    name: definition.name,
    template: definition.template,
    variableNames: names,
    validate,
    render(variables) {
      const values = validate(variables);
      return sections.map((s) => (s.marker === undefined ? renderSection(s, values) : `${s.marker}\n${renderSection(s, values)}`)).join('\n');
    },
    renderMessages(variables) {
      const values = validate(variables);
      return sections.map((s) => toMessage(s.role ?? defaultRole, trimBlankLines(renderSection(s, values))));
    },
  };
}

function toMessage(role: MessageRole, content: string): Message {
  return { role, content };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Lists as one `- item` per line: the shape models read most reliably, and it survives any separator in the items. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => `- ${formatValue(item)}`).join('\n');
  return JSON.stringify(value);
}

function trimBlankLines(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, '').replace(/(?:\r?\n[ \t]*)+$/, '');
}

function toSchema(variables: z.ZodObject | VariablesSpec, label: string): { schema: z.ZodType; names: string[] } {
  if (variables instanceof z.ZodObject) return { schema: variables, names: Object.keys(variables.shape) };
  const shape: Record<string, z.ZodType> = {};
  for (const [name, entry] of Object.entries(variables)) {
    if (!IDENTIFIER.test(name)) throw new ConduitError('invalid_request', `${label}: "${name}" is not a valid variable name (letters, digits and _, not starting with a digit)`, { param: name });
    const spec: VariableSpec = typeof entry === 'string' ? { type: entry } : entry;
    const base = baseSchema(spec.type, name, label);
    if (spec.default !== undefined) {
      if (!base.safeParse(spec.default).success) {
        throw new ConduitError('invalid_request', `${label}: the default of variable "${name}" is not a ${spec.type}`, { param: name });
      }
      shape[name] = base.optional().default(spec.default as never);
    } else {
      shape[name] = spec.optional === true ? base.optional() : base;
    }
  }
  return { schema: z.strictObject(shape), names: Object.keys(shape) };
}

function baseSchema(type: unknown, name: string, label: string): z.ZodType {
  switch (type) {
    case 'string':
      return z.string();
    case 'number':
      return z.number();
    case 'boolean':
      return z.boolean();
    case 'list':
      return z.array(z.string());
    default:
      throw new ConduitError('invalid_request', `${label}: variable "${name}" has unknown type ${JSON.stringify(type)} (use string, number, boolean or list)`, { param: name });
  }
}

function parseSections(template: string, label: string): Section[] {
  const lines = template.split('\n');
  const sections: Section[] = [];
  let current: { role: MessageRole | undefined; marker: string | undefined; lines: string[] } = { role: undefined, marker: undefined, lines: [] };
  const flush = (): void => {
    sections.push({ role: current.role, marker: current.marker, segments: parsePlaceholders(current.lines.join('\n'), label) });
  };
  for (const line of lines) {
    const match = ROLE_MARKER.exec(line.replace(/\r$/, ''));
    if (match === null) {
      current.lines.push(line);
      continue;
    }
    if (current.marker === undefined && current.lines.some((l) => l.trim() !== '')) {
      throw new ConduitError('invalid_request', `${label}: text before the first role marker (${line.trim()}); put it under a [system] or [user] line`);
    }
    if (current.marker !== undefined) flush();
    current = { role: match[1] as MessageRole, marker: line.trim(), lines: [] };
  }
  flush();
  return sections;
}

function parsePlaceholders(text: string, label: string): Segment[] {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\{{', i)) {
      literal += '{{';
      i += 3;
      continue;
    }
    if (text.startsWith('{{', i)) {
      const end = text.indexOf('}}', i + 2);
      if (end < 0) throw new ConduitError('invalid_request', `${label}: unclosed "{{" at offset ${i} (write \\{{ for a literal "{{")`);
      const name = text.slice(i + 2, end).trim();
      if (!IDENTIFIER.test(name)) {
        throw new ConduitError('invalid_request', `${label}: invalid placeholder "${text.slice(i, end + 2)}" (expected {{name}}; write \\{{ for a literal "{{")`);
      }
      if (literal !== '') segments.push({ kind: 'text', text: literal });
      literal = '';
      segments.push({ kind: 'variable', name });
      i = end + 2;
      continue;
    }
    literal += text[i];
    i += 1;
  }
  if (literal !== '') segments.push({ kind: 'text', text: literal });
  return segments;
}
