/**
 * A scripted model whose reply is computed from the request (the prompt) instead of taken from a
 * queue: for searches whose call order is an implementation detail (tree-of-thought scoring) and
 * for replies that carry token logprobs, which ScriptedModel's steps cannot express.
 */
import { emptyUsage } from '../../src/core/usage.js';
import type { GenerateResult, LanguageModel, ModelRequest, StreamPart, TokenLogprob } from '../../src/models/language-model.js';

export interface FunctionReply {
  text: string;
  logprobs?: TokenLogprob[];
  costUsd?: number;
  /** Throw this instead of answering. */
  error?: unknown;
}

export class FunctionModel implements LanguageModel {
  readonly provider = 'scripted';
  readonly modelId: string;
  readonly capabilities = { streaming: false, tools: false, jsonSchema: false, vision: false };
  readonly requests: ModelRequest[] = [];

  constructor(
    private readonly respond: (request: ModelRequest, callIndex: number) => FunctionReply | string,
    modelId = 'function-model',
  ) {
    this.modelId = modelId;
  }

  get callCount(): number {
    return this.requests.length;
  }

  async generate(request: ModelRequest): Promise<GenerateResult> {
    const index = this.requests.length;
    this.requests.push(request);
    const raw = this.respond(request, index);
    const reply = typeof raw === 'string' ? { text: raw } : raw;
    if (reply.error !== undefined) throw reply.error;
    const result: GenerateResult = {
      text: reply.text,
      toolCalls: [],
      finishReason: 'stop',
      usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 5 },
      provider: this.provider,
      model: this.modelId,
    };
    if (reply.logprobs) result.logprobs = reply.logprobs;
    if (reply.costUsd !== undefined) result.costUsd = reply.costUsd;
    return result;
  }

  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<StreamPart> {
    throw new Error('FunctionModel does not stream');
  }
}

/** The text of a request's last user message. */
export function lastUserText(request: ModelRequest): string {
  const user = request.messages.filter((m) => m.role === 'user').at(-1);
  return typeof user?.content === 'string' ? user.content : '';
}

/** Splits text into tokens (words and the spaces before them) that spell it exactly, each with `logprob`. */
export function tokensOf(text: string, logprob: number): TokenLogprob[] {
  return (text.match(/\s*\S+|\s+$/g) ?? []).map((token) => ({ token, logprob }));
}
