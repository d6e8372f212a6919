/**
 * The exact-cache key: sha256 of the normalised request plus the model it goes to and the caller's
 * isolation scope. Normalisation removes differences that cannot change the answer — key order,
 * explicit `undefined`, text given as a string vs. as text parts, Anthropic `cacheControl` markers,
 * the order of stop sequences — and keeps everything that can (every sampling parameter, tools,
 * tool choice, response format, seed, reasoning effort and providerOptions).
 *
 * `user` (the end-user id forwarded for abuse monitoring) is left out: it does not change the
 * answer, and isolation between callers is the scope's job, not an accident of that field.
 */
import { createHash } from 'node:crypto';
import type { Message, TextPart, ToolDefinition, ContentPart } from '../core/messages.js';
import type { ModelRequest } from '../models/language-model.js';
import { canonicalJson } from './canonical-json.js';

export interface CacheKeyTarget {
  provider: string;
  modelId: string;
  /** The tenant (or key/team) scope; '' when the deployment is single-tenant. */
  scope: string;
}

/** Bump when the normalisation changes, so old entries stop matching instead of answering wrongly. */
const KEY_VERSION = 1;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The request as it is hashed (exported for tests and for debugging key mismatches). */
export function normaliseRequest(request: ModelRequest): Record<string, unknown> {
  const { user: _user, messages, tools, stop, ...rest } = request;
  return {
    ...rest,
    messages: messages.map(normaliseMessage),
    tools: tools === undefined || tools.length === 0 ? undefined : tools.map(normaliseTool),
    stop: stop === undefined || stop.length === 0 ? undefined : [...new Set(stop)].sort(),
  };
}

export function exactCacheKey(request: ModelRequest, target: CacheKeyTarget): string {
  return sha256Hex(canonicalJson({ v: KEY_VERSION, provider: target.provider, model: target.modelId, scope: target.scope, request: normaliseRequest(request) }));
}

export function normaliseMessage(message: Message): Record<string, unknown> {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: normaliseContent(message.content) };
    case 'user':
      return { role: 'user', content: normaliseContent(message.content), name: message.name };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content === null ? '' : normaliseContent(message.content),
        toolCalls: message.toolCalls && message.toolCalls.length > 0 ? message.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) : undefined,
      };
    case 'tool':
      return { role: 'tool', toolCallId: message.toolCallId, content: normaliseContent(message.content), isError: message.isError === true ? true : undefined };
  }
}

export function normaliseTool(tool: ToolDefinition): Record<string, unknown> {
  const { cacheControl: _cc, ...rest } = tool;
  return rest;
}

/** Text-only content becomes one string; other parts keep their shape minus cache markers. */
function normaliseContent(content: string | ContentPart[] | TextPart[]): unknown {
  if (typeof content === 'string') return content;
  if (content.every((p) => p.type === 'text')) return content.map((p) => (p as TextPart).text).join('');
  return content.map((p) => {
    const { cacheControl: _cc, ...rest } = p;
    return rest;
  });
}
