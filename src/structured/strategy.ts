/**
 * How structured output is asked for, per provider (the guide's "layer 2: API constraints"):
 *
 * - `native`: `responseFormat: json_schema` — OpenAI structured outputs and any model that
 *   declares `capabilities.jsonSchema`.
 * - `grammar`: the same request; llama.cpp compiles the schema into a sampling grammar, so the
 *   output cannot leave the schema's syntax. Named separately so results say what happened.
 * - `tool`: one tool named after the schema, forced with `toolChoice`; the object is the call's
 *   arguments. Anthropic has no JSON-schema mode, and forced tools are its documented way.
 * - `prompt`: the schema and "reply with JSON only" rules in the system prompt (layer 1), for
 *   models with neither. The tolerant parser and the repair loop do the rest.
 */
import type { JsonSchema, Message, ToolCall } from '../core/messages.js';
import type { GenerateResult, LanguageModel, ModelRequest } from '../models/language-model.js';
import { isStrictCompatible, type ValidationIssue } from './output-schema.js';

export type StructuredStrategy = 'native' | 'grammar' | 'tool' | 'prompt';
export type StrategyChoice = StructuredStrategy | 'auto';

export function chooseStrategy(model: Pick<LanguageModel, 'provider' | 'capabilities'>, requested: StrategyChoice = 'auto'): StructuredStrategy {
  if (requested !== 'auto') return requested;
  if (model.provider === 'anthropic') return 'tool';
  if (model.provider === 'llamacpp') return 'grammar';
  if (model.provider === 'openai' || model.capabilities.jsonSchema) return 'native';
  if (model.capabilities.tools) return 'tool';
  return 'prompt';
}

export interface StructuredRequestSpec {
  strategy: StructuredStrategy;
  schema: JsonSchema;
  schemaName: string;
  schemaDescription?: string | undefined;
}

/** The request for one attempt: the conversation so far plus the strategy's constraints. */
export function buildRequest(spec: StructuredRequestSpec, messages: Message[], base: Omit<ModelRequest, 'messages'> = {}): ModelRequest {
  const request: ModelRequest = { ...base, messages };
  switch (spec.strategy) {
    case 'native':
    case 'grammar':
      request.responseFormat = {
        type: 'json_schema',
        name: spec.schemaName,
        schema: spec.schema,
        strict: isStrictCompatible(spec.schema),
        ...(spec.schemaDescription !== undefined ? { description: spec.schemaDescription } : {}),
      };
      break;
    case 'tool':
      request.tools = [{ name: spec.schemaName, description: spec.schemaDescription ?? `Record the answer as a ${spec.schemaName} object.`, parameters: spec.schema }];
      request.toolChoice = { type: 'tool', name: spec.schemaName };
      break;
    case 'prompt':
      request.messages = withSystemInstructions(messages, jsonOnlyInstructions(spec));
      break;
  }
  return request;
}

/** Layer 1 of the guide: rules that cut prose wrappers, plus the schema itself. */
export function jsonOnlyInstructions(spec: Pick<StructuredRequestSpec, 'schema' | 'schemaName'>): string {
  return [
    `Reply with JSON only: a single JSON value matching the JSON Schema "${spec.schemaName}" below.`,
    'No prose before or after it, no code fences, double-quoted keys and strings, every required field present with the right type.',
    'JSON Schema:',
    JSON.stringify(spec.schema),
  ].join('\n');
}

function withSystemInstructions(messages: Message[], instructions: string): Message[] {
  const first = messages[0];
  if (first?.role === 'system') {
    const existing = typeof first.content === 'string' ? first.content : first.content.map((p) => p.text).join('');
    return [{ role: 'system', content: `${existing}\n\n${instructions}` }, ...messages.slice(1)];
  }
  return [{ role: 'system', content: instructions }, ...messages];
}

/** The raw JSON text of an answer: the forced tool call's arguments, or the text. */
export function rawOutputOf(strategy: StructuredStrategy, schemaName: string, result: Pick<GenerateResult, 'text' | 'toolCalls'>): { raw: string; toolCall?: ToolCall } {
  if (strategy === 'tool') {
    const call = result.toolCalls.find((c) => c.name === schemaName) ?? result.toolCalls[0];
    if (call !== undefined) return { raw: call.arguments, toolCall: call };
  }
  return { raw: result.text };
}

/** What one failed attempt went wrong with, as the repair turn tells the model. */
export type AttemptProblem = { parseError: string } | { issues: ValidationIssue[] };

const MAX_ISSUES_IN_REPAIR = 20;

export function describeProblem(problem: AttemptProblem, truncated: boolean): string {
  if ('parseError' in problem) {
    return `${problem.parseError}${truncated ? ' (the output was cut off at the token limit: keep it shorter)' : ''}`;
  }
  const shown = problem.issues.slice(0, MAX_ISSUES_IN_REPAIR).map((i) => `- ${i.path}: ${i.message}`);
  if (problem.issues.length > MAX_ISSUES_IN_REPAIR) shown.push(`- … and ${problem.issues.length - MAX_ISSUES_IN_REPAIR} more`);
  return shown.join('\n');
}

/**
 * The repair turn (the guide's layer 4): the bad output goes back as the assistant's turn and the
 * errors follow, so the model sees exactly what it said and what was wrong with it. With the tool
 * strategy the errors travel as the tool's (error) result, which is what the provider expects
 * after a tool call.
 */
export function repairMessages(strategy: StructuredStrategy, raw: string, toolCall: ToolCall | undefined, problem: AttemptProblem, truncated: boolean): Message[] {
  const details = describeProblem(problem, truncated);
  const heading = 'parseError' in problem ? 'Your previous output was not valid JSON:' : 'Your previous output failed validation:';
  const instruction = 'Fix the issues and output the corrected JSON only.';
  if (strategy === 'tool' && toolCall !== undefined) {
    return [
      { role: 'assistant', content: null, toolCalls: [toolCall] },
      { role: 'tool', toolCallId: toolCall.id, isError: true, content: `${heading}\n${details}\n\nCall ${toolCall.name} again with corrected arguments.` },
    ];
  }
  return [
    { role: 'assistant', content: raw === '' ? '(empty)' : raw },
    { role: 'user', content: `${heading}\n${details}\n\n${instruction}` },
  ];
}
