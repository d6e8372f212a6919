/** `POST /v1/embeddings`: string or string-array input; float or base64 output. */
import { ConduitError } from '../core/errors.js';
import type { RequestContext } from './context.js';
import { awaitUpstream, callOptionsFor, prepareEmbeddingCall } from './model-call.js';
import { parseEmbeddingRequest } from './openai-request.js';
import { embeddingsJson } from './openai-response.js';


export async function handleEmbeddings(ctx: RequestContext, body: unknown, deadlineMs: number | undefined): Promise<void> {
  const call = parseEmbeddingRequest(body);
  let model = prepareEmbeddingCall(ctx, call.model);
  const policy = ctx.gw.policy;
  if (policy !== undefined) model = await policy.prepareEmbedding(ctx, call.model, model, call.inputs);
  if (call.dimensions !== undefined && model.dimensions !== undefined && call.dimensions !== model.dimensions) {
    // Truncating vectors is only meaningful for models trained for it; refuse rather than guess.
    throw new ConduitError('invalid_request', `Model '${call.model}' produces ${model.dimensions}-dimensional embeddings; 'dimensions' = ${call.dimensions} is not supported`, {
      param: 'dimensions',
      code: 'invalid_value',
    });
  }
  const options = callOptionsFor(ctx, deadlineMs);
  const result = await awaitUpstream(ctx, () => model.embed(call.inputs, options));
  if (result === undefined) return;
  ctx.provider = result.provider;
  ctx.costUsd = result.costUsd;
  ctx.usage = { inputTokens: result.usage.inputTokens, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  ctx.sendJson(200, embeddingsJson(result.model || call.model, result, call.encodingFormat));
}
