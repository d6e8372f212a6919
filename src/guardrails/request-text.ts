/**
 * Walks every text a ModelRequest carries — system, user, assistant (content, reasoning, tool-call
 * arguments) and tool results — so guardrails can read or rewrite them without knowing the message
 * shapes. Non-text parts (images) are kept untouched and in place; the request is copied, never
 * mutated.
 */
import type { AssistantMessage, ContentPart, Message, TextPart } from '../core/messages.js';
import type { GenerateResult, ModelRequest } from '../models/language-model.js';

export type TextLocation = 'content' | 'reasoning' | 'tool_arguments';

export interface TextSite {
  role: Message['role'];
  /** Index of the message in request.messages. */
  messageIndex: number;
  location: TextLocation;
}

export type TextRewrite = (text: string, site: TextSite) => string;

function mapParts<P extends ContentPart>(parts: P[], fn: (t: string) => string): P[] {
  let changed = false;
  const out = parts.map((p) => {
    if (p.type !== 'text') return p;
    const text = fn(p.text);
    if (text === p.text) return p;
    changed = true;
    return { ...p, text } as TextPart as P;
  });
  return changed ? out : parts;
}

function mapContent<C extends string | P[], P extends ContentPart>(content: C, fn: (t: string) => string): C {
  if (typeof content === 'string') return fn(content) as C;
  return mapParts(content as P[], fn) as C;
}

/** Returns a copy of the request with `rewrite` applied to every text; unchanged messages keep their identity. */
export function mapRequestText(request: ModelRequest, rewrite: TextRewrite): ModelRequest {
  let changed = false;
  const messages = request.messages.map((message, messageIndex): Message => {
    const at = (location: TextLocation) => (t: string) => rewrite(t, { role: message.role, messageIndex, location });
    let next: Message;
    switch (message.role) {
      case 'system':
        next = { ...message, content: mapContent(message.content, at('content')) };
        break;
      case 'user':
        next = { ...message, content: mapContent(message.content, at('content')) };
        break;
      case 'tool':
        next = { ...message, content: mapContent(message.content, at('content')) };
        break;
      case 'assistant': {
        const a: AssistantMessage = { ...message, content: message.content === null ? null : mapContent(message.content, at('content')) };
        if (message.toolCalls) a.toolCalls = message.toolCalls.map((c) => ({ ...c, arguments: at('tool_arguments')(c.arguments) }));
        if (message.reasoning !== undefined) a.reasoning = at('reasoning')(message.reasoning);
        next = a;
        break;
      }
    }
    if (sameMessage(message, next)) return message;
    changed = true;
    return next;
  });
  return changed ? { ...request, messages } : request;
}

function sameMessage(a: Message, b: Message): boolean {
  if (a.content !== b.content) return false;
  if (a.role === 'assistant' && b.role === 'assistant') {
    if (a.reasoning !== b.reasoning) return false;
    const ac = a.toolCalls ?? [];
    const bc = b.toolCalls ?? [];
    return ac.every((c, i) => c.arguments === bc[i]?.arguments);
  }
  return true;
}

/** Calls `visit` on every text of the request (read-only). */
export function forEachRequestText(request: ModelRequest, visit: (text: string, site: TextSite) => void): void {
  mapRequestText(request, (text, site) => {
    visit(text, site);
    return text;
  });
}

/** The concatenated text of the messages with the given roles (content only), joined by blank lines. */
export function requestTextByRole(request: ModelRequest, roles: readonly Message['role'][]): string {
  const parts: string[] = [];
  forEachRequestText(request, (text, site) => {
    if (site.location === 'content' && roles.includes(site.role) && text.length > 0) parts.push(text);
  });
  return parts.join('\n\n');
}

/** Applies `rewrite` to a result's text, reasoning and tool-call arguments. */
export function mapResultText(result: GenerateResult, rewrite: (text: string, location: TextLocation) => string): GenerateResult {
  const out: GenerateResult = {
    ...result,
    text: rewrite(result.text, 'content'),
    toolCalls: result.toolCalls.map((c) => ({ ...c, arguments: rewrite(c.arguments, 'tool_arguments') })),
  };
  if (result.reasoning !== undefined) out.reasoning = rewrite(result.reasoning, 'reasoning');
  return out;
}
