/**
 * One turn of a conversation: record the user's message, assemble the context from the thread
 * (earlier turns, summarised when they no longer fit), ask the model, record the reply. The user
 * message is recorded before the model is called, so what was said is kept even when the model
 * fails; a retry with the same message id then answers that message instead of adding a second one.
 */
import { createHash } from 'node:crypto';
import { ConduitError } from '../../core/errors.js';
import type { Message } from '../../core/messages.js';
import type { Usage } from '../../core/usage.js';
import type { CallOptions, LanguageModel, ModelRequest } from '../../models/language-model.js';
import { assembleContext, type AssembledContext, type AssembleContextOptions } from './context-assembler.js';
import type { ConversationMessage, ConversationStore } from './conversation-store.js';
import type { HistorySummariser } from './history-summariser.js';

export interface ConversationTurnInput {
  conversationId: string;
  content: string;
  /** Idempotency key of the user message (default: random). */
  messageId?: string;
  /** Extra context layers for this turn. */
  userProfile?: string;
  task?: string;
  knowledge?: readonly string[];
}

export interface ConversationTurnOptions {
  store: ConversationStore;
  model: LanguageModel;
  /** Context window budget for the prompt, in tokens (default 8000, the guide's hierarchical context size). */
  contextTokens?: number;
  /** Kept free for the reply (default 1024); also sent as the request's maxTokens. */
  reserveTokens?: number;
  summariser?: HistorySummariser;
  summaryMaxTokens?: number;
  policies?: AssembleContextOptions['policies'];
  /**
   * Called with the assembled request just before the reply is generated; returns the model to
   * call (the gateway wraps it in the caller's guardrails, budgets and accounting here).
   */
  prepareCall?: (model: LanguageModel, request: ModelRequest) => Promise<LanguageModel>;
  /** Recorded on the assistant message (the name the caller used for the model). */
  modelName?: string;
  callOptions?: CallOptions;
}

export interface ConversationTurnResult {
  userMessage: ConversationMessage;
  reply: ConversationMessage;
  /** Undefined when the reply already existed (a retried message id). */
  usage: Usage | undefined;
  context: AssembledContext | undefined;
}

export const DEFAULT_CONTEXT_TOKENS = 8000;
export const DEFAULT_RESERVE_TOKENS = 1024;

/** The assistant reply's id is derived from the user message's, which makes the whole turn idempotent. */
export function replyIdFor(userMessageId: string): string {
  const id = `${userMessageId}.reply`;
  // Ids are at most 128 characters; a long one is hashed rather than cut, so two ids never share a reply.
  return id.length <= 128 ? id : `reply_${createHash('sha256').update(userMessageId).digest('hex')}`;
}

export async function runConversationTurn(input: ConversationTurnInput, options: ConversationTurnOptions): Promise<ConversationTurnResult> {
  const { store, model } = options;
  if (typeof input.content !== 'string' || input.content.trim() === '') {
    throw new ConduitError('invalid_request', 'The message content must be a non-empty string', { code: 'invalid_content', param: 'content' });
  }
  const conversation = await store.get(input.conversationId);
  if (conversation === undefined) throw new ConduitError('not_found', `No conversation '${input.conversationId}'`, { code: 'conversation_not_found' });

  const userMessage = await store.append(conversation.id, { ...(input.messageId === undefined ? {} : { id: input.messageId }), role: 'user', content: input.content });
  const replyId = replyIdFor(userMessage.id);
  const existingReply = await store.getMessage(conversation.id, replyId);
  if (existingReply !== undefined) return { userMessage, reply: existingReply, usage: undefined, context: undefined };

  // History is every message before this one, in order; index i is seq i, as the summary cache needs.
  const history: Message[] = (await store.listMessages(conversation.id, { limit: userMessage.seq })).map(toModelMessage);
  const reserveTokens = options.reserveTokens ?? DEFAULT_RESERVE_TOKENS;
  const context = await assembleContext(
    {
      ...(conversation.system === undefined ? {} : { system: conversation.system }),
      ...(input.userProfile === undefined ? {} : { userProfile: input.userProfile }),
      ...(input.task === undefined ? {} : { task: input.task }),
      ...(input.knowledge === undefined ? {} : { knowledge: input.knowledge }),
      history,
      query: input.content,
    },
    {
      model,
      maxTokens: options.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
      reserveTokens,
      summaryCache: { conversationId: conversation.id, cache: store },
      ...(options.summariser === undefined ? {} : { summariser: options.summariser }),
      ...(options.summaryMaxTokens === undefined ? {} : { summaryMaxTokens: options.summaryMaxTokens }),
      ...(options.policies === undefined ? {} : { policies: options.policies }),
      ...(options.callOptions === undefined ? {} : { callOptions: options.callOptions }),
    },
  );
  const request: ModelRequest = { messages: context.messages, maxTokens: reserveTokens };
  const callModel = options.prepareCall === undefined ? model : await options.prepareCall(model, request);
  const result = await callModel.generate(request, options.callOptions);
  const reply = await store.append(conversation.id, {
    id: replyId,
    role: 'assistant',
    content: result.text,
    metadata: {
      inReplyTo: userMessage.id,
      model: options.modelName ?? result.model,
      provider: result.provider,
      usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
      contextTokens: context.tokens,
    },
  });
  return { userMessage, reply, usage: result.usage, context };
}

/** Stands in for erased content: providers refuse empty turns, and the history keeps its positions (index = seq). */
export const ERASED_PLACEHOLDER = '[erased]';

function toModelMessage(stored: ConversationMessage): Message {
  const message = stored.erasedAt === undefined ? stored : { ...stored, content: ERASED_PLACEHOLDER };
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'assistant':
      return { role: 'assistant', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      // A stored tool result carries no call id the model could match; it reads as context instead.
      return { role: 'user', content: `[tool result] ${message.content}` };
  }
}
