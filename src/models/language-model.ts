/**
 * The one interface every model sits behind (cf. the Vercel AI SDK's LanguageModel spec): small on
 * purpose, so providers are easy to add and middleware (retry, fallback, cache, guardrails, cost…)
 * can wrap any model without knowing which one it is.
 */
import type { FinishReason, Usage } from '../core/usage.js';
import type { Message, ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from '../core/messages.js';
import type { ConduitError } from '../core/errors.js';

export interface ModelRequest {
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Ask for token log-probabilities (used by self-consistency voting). */
  logprobs?: boolean;
  topLogprobs?: number;
  /** End-user id, forwarded to providers that accept one. */
  user?: string;
  /** Reasoning effort for reasoning models (OpenAI o-series, Anthropic extended thinking budget tiers). */
  reasoningEffort?: 'low' | 'medium' | 'high';
  /** Provider-specific extras, keyed by provider name; each adapter reads only its own key. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** Per-call settings that travel through every layer (library → gateway → provider). */
export interface CallOptions {
  signal?: AbortSignal;
  /** Absolute deadline (epoch ms) for the whole request, retries included. */
  deadlineAt?: number;
  /** Timeout for one attempt, in ms. */
  attemptTimeoutMs?: number;
  /** Correlates logs, traces, usage events and audit entries. */
  requestId?: string;
  /** Extra HTTP headers to send upstream (e.g. a per-request API key override). */
  headers?: Record<string, string>;
  /**
   * The request's one allowance of extra attempts (retries and failovers). Every reliability layer
   * draws from the same budget, so nested layers (router → fallback → retry) never multiply attempts.
   * Created by the outermost layer that finds none (src/reliability/retry-budget.ts).
   */
  retryBudget?: RetryBudget;
  /** Told about every attempt a reliability layer makes: which target served or failed, for logs and metrics. */
  onAttempt?: (event: AttemptEvent) => void;
  /** Per-request cache controls for the response caches (src/cache); the gateway fills it from `Cache-Control`. */
  cache?: CacheCallOptions;
}

/** What a cache layer did with one request: the gateway's `x-conduit-cache` header. */
export type CacheOutcome = 'hit' | 'miss' | 'semantic-hit' | 'bypass';

export interface CacheOutcomeEvent {
  /** The cache layer reporting. With both layers stacked, the last event of a request is the final word. */
  layer: 'exact' | 'semantic';
  outcome: CacheOutcome;
  /** Why a bypass happened: `no-cache`, `temperature`, `not-eligible`, `store-error`… */
  reason?: string;
  /** Semantic hits: cosine similarity of the matched prompt. */
  similarity?: number;
  /** Hits: USD the cached answer saved (its original cost), when known. */
  savedUsd?: number;
  /** Hits: age of the cached entry in ms. */
  ageMs?: number;
}

/** Per-request cache settings, carried by CallOptions through every layer. */
export interface CacheCallOptions {
  /** Do not answer from the cache (`Cache-Control: no-cache`); the fresh answer is still stored unless `noStore`. */
  bypass?: boolean;
  /** Do not store this request's answer (`Cache-Control: no-store`). */
  noStore?: boolean;
  /** Isolation scope (tenant, key or team id): entries are shared only between requests with the same scope. */
  scope?: string;
  /** Told what each cache layer did, before the first stream part is yielded (so headers can carry it). */
  onOutcome?: (event: CacheOutcomeEvent) => void;
}

/** Set on results (and a stream's `finish` part) that were served from a cache. */
export interface CacheHitInfo {
  outcome: 'hit' | 'semantic-hit';
  /** USD the original call cost, saved by this hit; undefined when its price was unknown. */
  savedUsd?: number;
  ageMs: number;
  similarity?: number;
}

/** A per-request allowance of extra attempts, shared by every layer of one request. */
export interface RetryBudget {
  /** Takes one extra attempt from the budget; false (and nothing taken) when none is left. */
  tryAcquire(): boolean;
  /** Extra attempts still available. */
  readonly remaining: number;
  /** Extra attempts taken so far. */
  readonly used: number;
}

/** One attempt made by a reliability layer (router, fallback chain, retry). */
export interface AttemptEvent {
  /** The layer that made the attempt, e.g. `router:gpt-pool`, `fallback`, `retry`. */
  layer: string;
  /** The deployment id or model that was tried. */
  target: string;
  provider: string;
  /** 0 for the first attempt of this layer. */
  attempt: number;
  outcome: 'success' | 'failure' | 'cancelled';
  error?: ConduitError;
  durationMs: number;
  /** Streams: ms from the attempt's start to its first content part. */
  timeToFirstContentMs?: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  topLogprobs?: { token: string; logprob: number }[];
}

export interface GenerateResult {
  /** Text output; empty string when the turn is only tool calls. */
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Provider name that actually served the request (after routing/fallback). */
  provider: string;
  /** Model id the provider reported. */
  model: string;
  /** Provider's response id, when it gives one. */
  id?: string;
  reasoning?: string;
  logprobs?: TokenLogprob[];
  /** USD cost of this call, when the price is known. */
  costUsd?: number;
  /** Present when the answer came from a response cache (then `costUsd` is 0 and `usage` is the original call's). */
  cache?: CacheHitInfo;
}

export type StreamPart =
  | { type: 'start'; id?: string; model?: string; provider?: string }
  | { type: 'text-delta'; delta: string }
  | { type: 'reasoning-delta'; delta: string }
  /** A tool call begins. `index` identifies it across deltas (parallel calls interleave). */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'logprobs'; logprobs: TokenLogprob[] }
  | {
      type: 'finish';
      finishReason: FinishReason;
      usage: Usage;
      /** The complete tool calls, assembled from the deltas. */
      toolCalls: ToolCall[];
      costUsd?: number;
      /** Present when the stream was replayed from a response cache. */
      cache?: CacheHitInfo;
    };

/** Content parts are the ones that commit a stream: after one is sent, failover is no longer transparent. */
export function isContentPart(part: StreamPart): boolean {
  return part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-start' || part.type === 'tool-call-delta';
}

export interface ModelCapabilities {
  streaming: boolean;
  tools: boolean;
  /** Native JSON-schema constrained output (OpenAI json_schema, llama.cpp grammar). */
  jsonSchema: boolean;
  vision: boolean;
}

export interface LanguageModel {
  /** Provider name: `openai`, `anthropic`, `openai-compatible`, `ollama`, `llamacpp`, `offline`, or a router name. */
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: ModelCapabilities;
  generate(request: ModelRequest, options?: CallOptions): Promise<GenerateResult>;
  /**
   * Streams the response. Errors (connection, HTTP status, stall, cut) are thrown from the iterator;
   * a stream that ends without a `finish` part is an error, never a silent end.
   */
  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamPart>;
}

export interface EmbeddingResult {
  embeddings: number[][];
  usage: { inputTokens: number };
  model: string;
  provider: string;
  costUsd?: number;
}

export interface EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  /** Vector size, when known before the first call. */
  readonly dimensions: number | undefined;
  embed(inputs: string[], options?: CallOptions): Promise<EmbeddingResult>;
}

/** What `GET /v1/models` and the CLI list. */
export interface ModelInfo {
  id: string;
  provider: string;
  /** `alias` for config aliases, `model` for concrete provider models. */
  kind: 'alias' | 'model' | 'embedding';
  ownedBy?: string;
}

/** Resolves a model name (alias, `provider/model`, or well-known bare name) to a model. */
export interface ModelResolver {
  /** Throws ConduitError('not_found') for unknown names. */
  resolve(name: string): LanguageModel;
  /** Throws ConduitError('not_found') for unknown names. */
  resolveEmbedding(name: string): EmbeddingModel;
  list(): ModelInfo[];
  /** Like list(), but also asks remote OpenAI-compatible servers what they serve (short timeout, cached). */
  listReachable?(): Promise<ModelInfo[]>;
  /** The model the CLI, agents and RAG use when none is named. */
  defaultModelName(): string;
}
