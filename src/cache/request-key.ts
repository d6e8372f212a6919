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
import { hash } from 'node:crypto';
import type { Message, TextPart, ToolDefinition, ContentPart } from '../core/messages.js';
import type { ModelRequest } from '../models/language-model.js';
import { canonicalJson, canonicalMember, canonicalObjectWithout } from './canonical-json.js';
import { sortKeys } from '../core/sort-keys.js';

export interface CacheKeyTarget {
  provider: string;
  modelId: string;
  /** The tenant (or key/team) scope; '' when the deployment is single-tenant. */
  scope: string;
}

/** Bump when the normalisation changes, so old entries stop matching instead of answering wrongly. */
const KEY_VERSION = 1;

export function sha256Hex(text: string): string {
  // One-shot hash (Node >= 20.12): no Hash object per call, several times cheaper for short inputs.
  return hash('sha256', text, 'hex');
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
  return sha256Hex(exactCacheKeyText(request, target));
}

/**
 * What `exactCacheKey` hashes: byte for byte `canonicalJson({ v, provider, model, scope, request:
 * normaliseRequest(request) })` (stored keys keep matching), written straight from the request
 * instead of through a normalised copy and a generic walk: this runs on every cached request.
 * The top-level members are written in their sorted order: model, provider, request, scope, v.
 */
export function exactCacheKeyText(request: ModelRequest, target: CacheKeyTarget): string {
  return (
    '{"model":' +
    stringMember(target.modelId) +
    ',"provider":' +
    stringMember(target.provider) +
    ',"request":' +
    requestJson(request) +
    ',"scope":' +
    stringMember(target.scope) +
    ',"v":' +
    KEY_VERSION +
    '}'
  );
}

/** Target fields are strings by type; anything else takes the generic path (same bytes as before). */
function stringMember(value: string): string {
  return typeof value === 'string' ? JSON.stringify(value) : (canonicalMember(value) ?? 'null');
}

/** The members `normaliseRequest` replaces or drops; the rest are copied as they are. */
const REPLACED_MEMBERS = new Set(['user', 'messages', 'tools', 'stop']);
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;

/** `canonicalJson(normaliseRequest(request))`, without building the normalised copy. */
function requestJson(request: ModelRequest): string {
  const record = request as unknown as Record<string, unknown>;
  const names: string[] = ['messages', 'stop', 'tools'];
  for (const name in record) {
    if (!Object.hasOwn(record, name) || REPLACED_MEMBERS.has(name)) continue;
    // Integer-like names sort differently in the generic writer; no real request has one.
    if (INTEGER_LIKE.test(name)) return canonicalJson(normaliseRequest(request));
    names.push(name);
  }
  sortKeys(names);
  let out = '{';
  let first = true;
  for (const name of names) {
    let encoded: string | undefined;
    if (name === 'messages') encoded = messagesJson(request.messages);
    else if (name === 'tools') encoded = toolsJson(request.tools);
    else if (name === 'stop') encoded = request.stop === undefined || request.stop.length === 0 ? undefined : canonicalMember([...new Set(request.stop)].sort());
    else encoded = canonicalMember(record[name]);
    if (encoded === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(name) + ':' + encoded;
    first = false;
  }
  return out + '}';
}

function messagesJson(messages: readonly Message[]): string {
  let out = '[';
  for (let i = 0; i < messages.length; i++) {
    if (i > 0) out += ',';
    out += messageJson(messages[i]!);
  }
  return out + ']';
}

/** `canonicalJson(normaliseMessage(message))`: the members in sorted order, undefined ones left out. */
function messageJson(message: Message): string {
  switch (message.role) {
    case 'system':
      return '{"content":' + contentJson(message.content) + ',"role":"system"}';
    case 'user': {
      const name = canonicalMember(message.name);
      return '{"content":' + contentJson(message.content) + (name === undefined ? '' : ',"name":' + name) + ',"role":"user"}';
    }
    case 'assistant': {
      let out = '{"content":' + (message.content === null ? '""' : contentJson(message.content)) + ',"role":"assistant"';
      const calls = message.toolCalls;
      if (calls && calls.length > 0) {
        out += ',"toolCalls":[';
        for (let i = 0; i < calls.length; i++) {
          const c = calls[i]!;
          if (i > 0) out += ',';
          out += canonicalMember({ id: c.id, name: c.name, arguments: c.arguments });
        }
        out += ']';
      }
      return out + '}';
    }
    case 'tool': {
      const callId = canonicalMember(message.toolCallId);
      return (
        '{"content":' +
        contentJson(message.content) +
        (message.isError === true ? ',"isError":true' : '') +
        ',"role":"tool"' +
        (callId === undefined ? '' : ',"toolCallId":' + callId) +
        '}'
      );
    }
    default:
      // normaliseMessage gives undefined for an unknown role: null in the array.
      return 'null';
  }
}

function contentJson(content: string | ContentPart[] | TextPart[]): string {
  if (typeof content === 'string') return JSON.stringify(content);
  if (!Array.isArray(content)) return canonicalJson(normaliseContent(content));
  let allText = true;
  for (const part of content) {
    if (part.type !== 'text') {
      allText = false;
      break;
    }
  }
  if (allText) return JSON.stringify(content.map((p) => (p as TextPart).text).join(''));
  let out = '[';
  for (let i = 0; i < content.length; i++) {
    if (i > 0) out += ',';
    out += canonicalObjectWithout(content[i] as unknown as Record<string, unknown>, 'cacheControl');
  }
  return out + ']';
}

function toolsJson(tools: readonly ToolDefinition[] | undefined): string | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  let out = '[';
  for (let i = 0; i < tools.length; i++) {
    if (i > 0) out += ',';
    out += canonicalObjectWithout(tools[i] as unknown as Record<string, unknown>, 'cacheControl');
  }
  return out + ']';
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
