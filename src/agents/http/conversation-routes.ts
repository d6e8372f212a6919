/**
 * `/v1/conversations*` on `conduit serve`:
 *   POST /v1/conversations                 {system?, metadata?, id?}            → 201 the thread
 *   POST /v1/conversations/{id}/messages   {content, model?, message_id?}       → the assistant reply
 *   GET  /v1/conversations/{id}                                                  → the thread with its messages
 *   POST /v1/conversations/{id}/erase                                            → GDPR erasure: contents wiped, tombstones kept
 * Each reply is generated from the thread's earlier turns through the context assembler. A thread
 * belongs to the principal that created it: other callers get 404 (admins see every thread).
 * The reply's model call passes the gateway policy like a chat completion; summarising older
 * turns uses the same model directly (authorised, but not separately rate-limited or ledgered).
 */
import { ConduitError } from '../../core/errors.js';
import type { Principal } from '../../auth/principal.js';
import { authorizeModel } from '../../auth/model-access.js';
import { readJsonBody, pathSegments, type AppRoutes } from '../../gateway/app-routes.js';
import type { RequestContext } from '../../gateway/context.js';
import { callOptionsFor } from '../../gateway/model-call.js';
import type { Conversation, ConversationMessage, ConversationStore } from '../conversations/conversation-store.js';
import { runConversationTurn, type ConversationTurnOptions } from '../conversations/conversation-turn.js';
import { createModelSummariser, type HistorySummariser } from '../conversations/history-summariser.js';

const PREFIX = '/v1/conversations';
const MAX_SYSTEM_CHARS = 100_000;
const MAX_CONTENT_CHARS = 1_000_000;

export interface ConversationRoutesOptions {
  store: ConversationStore;
  /** Model used when a message names none (default: the resolver's default model). */
  defaultModel?: string;
  /** Prompt budget per turn (default 8000 tokens). */
  contextTokens?: number;
  /** Reply allowance (default 1024 tokens). */
  reserveTokens?: number;
  /** `model` (default) summarises older turns with the turn's model; `extractive` uses no model. */
  summaries?: 'model' | 'extractive';
  /** Closes the store when the gateway closes (default true). */
  closeStore?: boolean;
}

export function createConversationRoutes(options: ConversationRoutesOptions): AppRoutes {
  const { store } = options;
  return {
    name: 'conversations',
    matches: (path) => path === PREFIX || path.startsWith(`${PREFIX}/`),
    async handle(ctx, path) {
      const segments = pathSegments(path, PREFIX) ?? [];
      const method = ctx.req.method ?? 'GET';
      if (segments.length === 0) {
        if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
        await createThread(ctx);
        return;
      }
      const id = segments[0] ?? '';
      if (segments.length === 1) {
        if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
        const conversation = await ownedConversation(ctx, id);
        const messages = await store.listMessages(conversation.id);
        ctx.sendJson(200, JSON.stringify({ ...conversationJson(conversation), messages: messages.map(messageJson) }));
        return;
      }
      if (segments.length === 2 && segments[1] === 'messages') {
        if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
        await postMessage(ctx, id);
        return;
      }
      if (segments.length === 2 && segments[1] === 'erase') {
        if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
        const conversation = await ownedConversation(ctx, id);
        const { messages } = await store.erase(conversation.id);
        ctx.sendJson(200, JSON.stringify({ id: conversation.id, object: 'conversation.erasure', erased_messages: messages }));
        return;
      }
      throw new ConduitError('not_found', `Unknown route: ${method} ${path}`, { code: 'unknown_route' });
    },
    async close() {
      if (options.closeStore !== false) await store.close?.();
    },
  };

  async function createThread(ctx: RequestContext): Promise<void> {
    const body = asObject(await readJsonBody(ctx));
    const system = optionalString(body, 'system', MAX_SYSTEM_CHARS);
    const id = optionalString(body, 'id', 128);
    const metadata = body.metadata;
    if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
      throw new ConduitError('invalid_request', "'metadata' must be an object", { code: 'invalid_metadata', param: 'metadata' });
    }
    const owner = ownerOf(ctx.principal);
    const conversation = await store.create({
      ...(id === undefined ? {} : { id }),
      ...(system === undefined ? {} : { system }),
      ...(metadata === undefined ? {} : { metadata: metadata as Record<string, unknown> }),
      ...(owner === undefined ? {} : { owner }),
    });
    ctx.sendJson(201, JSON.stringify(conversationJson(conversation)));
  }

  async function postMessage(ctx: RequestContext, id: string): Promise<void> {
    const conversation = await ownedConversation(ctx, id);
    const body = asObject(await readJsonBody(ctx));
    const content = optionalString(body, 'content', MAX_CONTENT_CHARS);
    if (content === undefined || content.trim() === '') throw new ConduitError('invalid_request', "'content' must be a non-empty string", { code: 'invalid_content', param: 'content' });
    const messageId = optionalString(body, 'message_id', 128);
    const modelName = optionalString(body, 'model', 256) ?? options.defaultModel ?? ctx.gw.resolver.defaultModelName();
    const model = ctx.gw.resolver.resolve(modelName);
    if (ctx.principal !== undefined) authorizeModel(ctx.principal, [modelName, `${model.provider}/${model.modelId}`]);
    ctx.model = modelName;
    const summariser: HistorySummariser | undefined = options.summaries === 'extractive' ? undefined : createModelSummariser(model);
    const callOptions = callOptionsFor(ctx, undefined);
    const policy = ctx.gw.policy;
    const turnOptions: ConversationTurnOptions = {
      store,
      model,
      modelName,
      callOptions,
      // The reply goes through the same policy as /v1/chat/completions: rate limits, budgets, guardrails, ledger, audit.
      ...(policy === undefined ? {} : { prepareCall: (m, request) => policy.prepare(ctx, modelName, m, request, callOptions) }),
      ...(summariser === undefined ? {} : { summariser }),
      ...(options.contextTokens === undefined ? {} : { contextTokens: options.contextTokens }),
      ...(options.reserveTokens === undefined ? {} : { reserveTokens: options.reserveTokens }),
    };
    const t0 = process.hrtime.bigint();
    let result;
    try {
      result = await runConversationTurn({ conversationId: conversation.id, content, ...(messageId === undefined ? {} : { messageId }) }, turnOptions);
    } finally {
      // The model's time is upstream time, not the gateway's overhead.
      ctx.waitNs += process.hrtime.bigint() - t0;
    }
    const reply = result.reply;
    ctx.provider = typeof reply.metadata.provider === 'string' ? reply.metadata.provider : model.provider;
    ctx.sendJson(
      200,
      JSON.stringify({
        ...messageJson(reply),
        conversation_id: conversation.id,
        in_reply_to: result.userMessage.id,
        model: modelName,
        ...(result.usage === undefined ? {} : { usage: { prompt_tokens: result.usage.inputTokens, completion_tokens: result.usage.outputTokens } }),
        ...(result.context === undefined
          ? {}
          : { context: { tokens: result.context.tokens, budget: result.context.budget, layers: result.context.layers.map((l) => ({ name: l.name, outcome: l.outcome, tokens: l.tokens })) } }),
      }),
    );
  }

  async function ownedConversation(ctx: RequestContext, id: string): Promise<Conversation> {
    const conversation = await store.get(id);
    // Someone else's thread is reported as missing: its existence is not the caller's business.
    if (conversation === undefined || !mayAccess(ctx.principal, conversation)) {
      throw new ConduitError('not_found', `No conversation '${id}'`, { code: 'conversation_not_found' });
    }
    return conversation;
  }
}

/** The owner string recorded on threads a principal creates; undefined when the gateway runs open. */
export function ownerOf(principal: Principal | undefined): string | undefined {
  if (principal === undefined) return undefined;
  switch (principal.kind) {
    case 'key':
      return `key:${principal.keyId}`;
    case 'jwt':
      return `jwt:${principal.issuer ?? ''}:${principal.subject}`;
    case 'master':
      return 'master';
  }
}

function mayAccess(principal: Principal | undefined, conversation: Conversation): boolean {
  if (conversation.owner === undefined) return true;
  if (principal === undefined) return false;
  return principal.admin || ownerOf(principal) === conversation.owner;
}

function conversationJson(c: Conversation): Record<string, unknown> {
  return { id: c.id, object: 'conversation', created_at: Math.floor(c.createdAt / 1000), system: c.system ?? null, metadata: c.metadata };
}

function messageJson(m: ConversationMessage): Record<string, unknown> {
  return {
    id: m.id,
    object: 'conversation.message',
    seq: m.seq,
    role: m.role,
    content: m.content,
    created_at: Math.floor(m.createdAt / 1000),
    ...(m.erasedAt === undefined ? {} : { erased: true }),
  };
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConduitError('invalid_request', 'The request body must be a JSON object', { code: 'invalid_body' });
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string, maxChars: number): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConduitError('invalid_request', `'${key}' must be a string`, { code: `invalid_${key}`, param: key });
  if (value.length > maxChars) throw new ConduitError('invalid_request', `'${key}' is longer than ${maxChars} characters`, { code: `invalid_${key}`, param: key });
  return value;
}

function methodNotAllowed(method: string, path: string, allow: string): ConduitError {
  return new ConduitError('invalid_request', `Method ${method} is not allowed on ${path}; use ${allow}`, { status: 405, code: 'method_not_allowed' });
}
