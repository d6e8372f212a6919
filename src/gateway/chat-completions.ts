/**
 * `POST /v1/chat/completions`: validate and map everything first (a request is never half-applied),
 * then one model call — JSON or SSE.
 */
import type { ConduitError } from '../core/errors.js';
import type { CallOptions, LanguageModel, ModelRequest } from '../models/language-model.js';
import type { RequestContext } from './context.js';
import { chatCompletionJson } from './openai-response.js';
import { OpenAIChunkEncoder, SSE_DONE, openAISseError } from './openai-sse.js';
import { parseChatCompletionRequest } from './openai-request.js';
import { driveStream } from './stream-driver.js';
import type { ContentStreamPart, FinishPart, StartPart, StreamEncoder } from './stream-driver.js';
import { awaitUpstream, callOptionsFor, prepareModelCall } from './model-call.js';


export async function handleChatCompletions(ctx: RequestContext, body: unknown, deadlineMs: number | undefined): Promise<void> {
  const call = parseChatCompletionRequest(body);
  let model = prepareModelCall(ctx, call.model, call.stream);
  const options = callOptionsFor(ctx, deadlineMs);
  const policy = ctx.gw.policy;
  if (policy !== undefined) model = await policy.prepare(ctx, call.model, model, call.request, options);
  if (call.stream) {
    await driveStream(ctx, model.stream(call.request, options), new OpenAIStream(ctx, call.model, call.includeUsage));
    return;
  }
  await generateJson(ctx, model, call.request, options, call.model);
}

async function generateJson(ctx: RequestContext, model: LanguageModel, request: ModelRequest, options: CallOptions, requested: string): Promise<void> {
  const result = await awaitUpstream(ctx, () => model.generate(request, options));
  if (result === undefined) return;
  ctx.provider = result.provider;
  ctx.costUsd = result.costUsd;
  ctx.usage = result.usage;
  const id = result.id !== undefined && result.id.startsWith('chatcmpl-') ? result.id : 'chatcmpl-' + ctx.uniqueId();
  ctx.sendJson(200, chatCompletionJson(id, Math.floor(Date.now() / 1000), result.model || requested, result));
}

/** OpenAI SSE for the stream driver. */
class OpenAIStream implements StreamEncoder {
  private enc: OpenAIChunkEncoder | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly requestedModel: string,
    private readonly includeUsage: boolean,
  ) {}

  open(start: StartPart | undefined): string {
    const id = start?.id !== undefined && start.id.startsWith('chatcmpl-') ? start.id : 'chatcmpl-' + this.ctx.uniqueId();
    this.enc = new OpenAIChunkEncoder(id, Math.floor(Date.now() / 1000), start?.model || this.requestedModel, this.includeUsage);
    return this.enc.role();
  }

  part(p: ContentStreamPart): string {
    const enc = this.enc!;
    switch (p.type) {
      case 'text-delta':
        return p.delta === '' ? '' : enc.text(p.delta);
      case 'reasoning-delta':
        return p.delta === '' ? '' : enc.reasoning(p.delta);
      case 'tool-call-start':
        return enc.toolCallStart(p.index, p.id, p.name);
      case 'tool-call-delta':
        return p.argumentsDelta === '' ? '' : enc.toolCallDelta(p.index, p.argumentsDelta);
      case 'logprobs':
        return enc.logprobs(p.logprobs);
    }
  }

  finish(p: FinishPart, provider: string): string {
    const enc = this.enc!;
    let out = enc.finish(p.finishReason);
    if (this.includeUsage) out += enc.usage(p.usage, p.costUsd, provider);
    return out + SSE_DONE;
  }

  error(err: ConduitError): string {
    return openAISseError(err);
  }
}
