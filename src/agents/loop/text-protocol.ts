/**
 * Tool calling for models without native tools (small local models): the tools are described in
 * the system prompt, and the model asks for a call by writing a fenced JSON block
 *
 *   ```json
 *   {"tool": "calculator", "arguments": {"expression": "25% of 1200"}}
 *   ```
 *
 * Small models are sloppy, so the parser is lenient about the envelope and strict about meaning:
 * fenced or bare objects, a `TOOL_CALL:` prefix, an array of calls, `name`/`tool_name` for `tool`,
 * `args`/`parameters`/`input` for `arguments`, arguments given as a JSON string, trailing commas.
 * Anything that does not name a tool is prose, not a call. Results go back as a user message,
 * since such models know no `tool` role.
 */
import type { ToolCall, UserMessage } from '../../core/messages.js';
import { firstBalancedJson, removeTrailingCommas } from '../../structured/json-extraction.js';
import type { AgentTool } from '../tool.js';
import type { SettledToolResult } from './run-state.js';

export function textProtocolInstructions(tools: readonly AgentTool[]): string {
  const catalog = tools.map((t) => ({ name: t.name, description: t.description, arguments: t.inputSchema }));
  return [
    'You can use tools. To call a tool, reply with ONLY a fenced JSON block of this exact form, and nothing after it:',
    '```json',
    '{"tool": "<tool name>", "arguments": {<arguments matching the tool\'s schema>}}',
    '```',
    'To call several tools at once, put several such blocks (or one JSON array of such objects).',
    'The tool results come back in the next message. When you have what you need, answer normally, without any tool block.',
    'Available tools (JSON Schema of each tool\'s arguments):',
    JSON.stringify(catalog, null, 2),
  ].join('\n');
}

export interface ParsedTextReply {
  calls: ToolCall[];
  /** The reply with the tool blocks removed (the model's prose, if any). */
  prose: string;
}

const FENCE = /```[a-zA-Z0-9_-]*[^\S\n]*\n?([\s\S]*?)```/g;

export function parseTextToolCalls(text: string, step: number): ParsedTextReply {
  const calls: ToolCall[] = [];
  let prose = text;
  const take = (value: unknown): boolean => {
    const found = callsIn(value);
    for (const call of found) calls.push({ id: `text_${step}_${calls.length}`, name: call.name, arguments: call.arguments });
    return found.length > 0;
  };

  for (const match of text.matchAll(FENCE)) {
    const body = (match[1] ?? '').trim();
    const value = parseLenient(body) ?? parseLenient(firstBalancedJson(body) ?? '');
    if (value !== undefined && take(value)) prose = prose.replace(match[0], '');
  }
  if (calls.length === 0) {
    // No usable fence: look for bare JSON objects/arrays anywhere in the reply.
    let from = 0;
    while (from < text.length) {
      const start = text.slice(from).search(/[[{]/);
      if (start < 0) break;
      const candidate = firstBalancedJson(text.slice(from + start));
      if (candidate === undefined) break;
      const value = parseLenient(candidate);
      if (value !== undefined && take(value)) {
        prose = prose.replace(candidate, '');
        from += start + candidate.length;
      } else from += start + 1;
    }
  }
  prose = prose.replace(/TOOL_CALL:\s*/g, '').trim();
  return { calls, prose };
}

/** One user message carrying every result of a turn, labelled by tool and call id. */
export function textToolResultsMessage(results: readonly SettledToolResult[]): UserMessage {
  const parts = results.map((r) => `Result of tool "${r.tool}" (call ${r.callId})${r.isError ? ' [error]' : ''}:\n${r.content}`);
  return { role: 'user', content: parts.join('\n\n') };
}

function callsIn(value: unknown): { name: string; arguments: string }[] {
  if (Array.isArray(value)) return value.flatMap((v) => callsIn(v));
  if (value === null || typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  const name = firstString(obj.tool, obj.name, obj.tool_name, obj.function);
  if (name === undefined) return [];
  const rawArgs = obj.arguments ?? obj.args ?? obj.parameters ?? obj.input ?? {};
  let args: unknown = rawArgs;
  if (typeof rawArgs === 'string') args = parseLenient(rawArgs) ?? rawArgs;
  // Kept as JSON text, like a native call: the loop validates it the same way for both protocols.
  return [{ name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }];
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

function parseLenient(text: string): unknown {
  if (text.trim() === '') return undefined;
  for (const attempt of [text, removeTrailingCommas(text)]) {
    try {
      return JSON.parse(attempt) as unknown;
    } catch {
      // try the next form
    }
  }
  return undefined;
}
