/**
 * The seams between the gateway's request path and its policies. The gateway core only ever
 * checks `gw.policy !== undefined`: with no policy configured nothing here runs, so the bare hot
 * path stays exactly as fast as before.
 */
import type { CallOptions, EmbeddingModel, LanguageModel, ModelRequest } from '../../models/language-model.js';
import type { RequestContext } from '../context.js';

export interface GatewayPolicy {
  /**
   * Before the request body is read: the emergency stop, then authentication (sets
   * `ctx.principal`). Throws a ConduitError (503 / 401) to refuse.
   */
  admit(ctx: RequestContext): Promise<void>;
  /**
   * After the model resolved and before it is called: model authorisation (403), runaway
   * protection and rate limits (429, with `x-ratelimit-*` headers on every response), the budget
   * reservation, per-request cache options. Returns the model to call: the resolved one wrapped in
   * the caller's guardrails and caches and in the accounting layer (budget commit, usage ledger,
   * audit) that runs when the call ends, the stream included.
   */
  prepare(ctx: RequestContext, requested: string, model: LanguageModel, request: ModelRequest, options: CallOptions): Promise<LanguageModel>;
  /** The same for `/v1/embeddings` (authorisation and rate limits). */
  prepareEmbedding(ctx: RequestContext, requested: string, model: EmbeddingModel, inputs: readonly string[]): Promise<EmbeddingModel>;
}

/** `/admin/*`: the handler checks the master key itself, first. */
export interface AdminHandler {
  handle(ctx: RequestContext, path: string): Promise<void>;
}
