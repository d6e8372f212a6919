/**
 * `POST /v1/messages`: the Anthropic-compatible ingress. Same pipeline as chat completions, with
 * Anthropic's request mapping, message JSON, SSE events and error bodies.
 */
import type { ConduitError } from '../core/errors.js';
import type { RequestContext } from './context.js';
import { parseAnthropicMessagesRequest } from './anthropic-request.js';
import { AnthropicStreamEncoder, anthropicMessageJson, anthropicSseError } from './anthropic-response.js';
import { awaitUpstream, callOptionsFor, prepareModelCall } from './model-call.js';
import { driveStream } from './stream-driver.js';
import type { ContentStreamPart, FinishPart, StartPart, StreamEncoder } from './stream-driver.js';


function messageId(ctx: RequestContext, upstreamId: string | undefined): string {
  return upstreamId !== undefined && upstreamId.startsWith('msg_') ? upstreamId : 'msg_' + ctx.uniqueId();
}

export async function handleAnthropicMessages(ctx: RequestContext, body: unknown, deadlineMs: number | undefined): Promise<void> {
  const call = parseAnthropicMessagesRequest(body);
  let model = prepareModelCall(ctx, call.model, call.stream);
  const options = callOptionsFor(ctx, deadlineMs);
  const policy = ctx.gw.policy;
  if (policy !== undefined) model = await policy.prepare(ctx, call.model, model, call.request, options);
  if (call.stream) {
    await driveStream(ctx, model.stream(call.request, options), new AnthropicStream(ctx, call.model));
    return;
  }
  const result = await awaitUpstream(ctx, () => model.generate(call.request, options));
  if (result === undefined) return;
  ctx.provider = result.provider;
  ctx.costUsd = result.costUsd;
  ctx.usage = result.usage;
  ctx.sendJson(200, anthropicMessageJson(messageId(ctx, result.id), result.model || call.model, result));
}

/** Anthropic SSE for the stream driver. */
class AnthropicStream implements StreamEncoder {
  private enc: AnthropicStreamEncoder | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly requestedModel: string,
  ) {}

  open(start: StartPart | undefined): string {
    this.enc = new AnthropicStreamEncoder(messageId(this.ctx, start?.id), start?.model || this.requestedModel);
    return this.enc.start();
  }

  part(p: ContentStreamPart): string {
    const enc = this.enc!;
    switch (p.type) {
      case 'text-delta':
        return p.delta === '' ? '' : enc.text(p.delta);
      case 'reasoning-delta':
        return p.delta === '' ? '' : enc.thinking(p.delta);
      case 'tool-call-start':
        return enc.toolCallStart(p.index, p.id, p.name);
      case 'tool-call-delta':
        return enc.toolCallDelta(p.index, p.argumentsDelta);
      case 'logprobs':
        return ''; // Anthropic's format has no log-probabilities
    }
  }

  finish(p: FinishPart): string {
    return this.enc!.finish(p.finishReason, p.usage, p.toolCalls);
  }

  error(err: ConduitError): string {
    return anthropicSseError(err);
  }
}
