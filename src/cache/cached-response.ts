/**
 * What a cache stores for one answer, and the conversions around it: from a GenerateResult, from a
 * completed stream, back to a GenerateResult, and back to a stream (a replay with the same text,
 * reasoning and tool calls, so a streaming client cannot tell a hit from a live answer except by
 * its speed and the `cache` marker on `finish`).
 */
import type { CacheHitInfo, GenerateResult, StreamPart, TokenLogprob } from '../models/language-model.js';

/** A GenerateResult as stored (its `costUsd` is the original call's cost: what a hit saves). */
export interface CachedResponse extends Omit<GenerateResult, 'cache'> {
  /** Epoch ms when it was stored. */
  createdAt: number;
}

/** Answers that must never be cached: failures, and results that were themselves cache hits. */
export function isCacheable(result: Pick<GenerateResult, 'finishReason' | 'cache'>): boolean {
  return result.finishReason !== 'error' && result.cache === undefined;
}

export function toCachedResponse(result: GenerateResult, createdAt: number): CachedResponse {
  const cached: CachedResponse = {
    text: result.text,
    toolCalls: result.toolCalls,
    finishReason: result.finishReason,
    usage: result.usage,
    provider: result.provider,
    model: result.model,
    createdAt,
  };
  if (result.id !== undefined) cached.id = result.id;
  if (result.reasoning !== undefined) cached.reasoning = result.reasoning;
  if (result.logprobs !== undefined) cached.logprobs = result.logprobs;
  if (result.costUsd !== undefined) cached.costUsd = result.costUsd;
  return cached;
}

/** The result a hit returns: the original usage (for reporting), cost 0, and what it saved. */
export function fromCachedResponse(cached: CachedResponse, info: CacheHitInfo): GenerateResult {
  const result: GenerateResult = {
    text: cached.text,
    toolCalls: cached.toolCalls,
    finishReason: cached.finishReason,
    usage: cached.usage,
    provider: cached.provider,
    model: cached.model,
    costUsd: 0,
    cache: info,
  };
  if (cached.id !== undefined) result.id = cached.id;
  if (cached.reasoning !== undefined) result.reasoning = cached.reasoning;
  if (cached.logprobs !== undefined) result.logprobs = cached.logprobs;
  return result;
}

export function hitInfo(cached: CachedResponse, outcome: CacheHitInfo['outcome'], now: number, similarity?: number): CacheHitInfo {
  const info: CacheHitInfo = { outcome, ageMs: Math.max(0, now - cached.createdAt) };
  if (cached.costUsd !== undefined) info.savedUsd = cached.costUsd;
  if (similarity !== undefined) info.similarity = similarity;
  return info;
}

export function serialiseCachedResponse(cached: CachedResponse): string {
  return JSON.stringify(cached);
}

/** Parses a stored value; undefined for anything that is not a well-formed entry (treated as a miss). */
export function parseCachedResponse(value: string): CachedResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const c = parsed as Partial<CachedResponse>;
  if (typeof c.text !== 'string' || !Array.isArray(c.toolCalls) || typeof c.finishReason !== 'string' || typeof c.usage !== 'object' || c.usage === null) return undefined;
  if (typeof c.provider !== 'string' || typeof c.model !== 'string' || typeof c.createdAt !== 'number') return undefined;
  return c as CachedResponse;
}

/** Characters per replayed text delta: small enough to look like a live stream, big enough to be cheap. */
const REPLAY_CHUNK = 16;

/** Replays a cached answer as stream parts: start, reasoning, text deltas, tool-call start+delta, finish. */
export function* replayStream(cached: CachedResponse, info: CacheHitInfo): Generator<StreamPart> {
  const start: StreamPart = { type: 'start', model: cached.model, provider: cached.provider };
  if (cached.id !== undefined) start.id = cached.id;
  yield start;
  if (cached.reasoning) yield { type: 'reasoning-delta', delta: cached.reasoning };
  for (const piece of splitForReplay(cached.text)) yield { type: 'text-delta', delta: piece };
  if (cached.logprobs && cached.logprobs.length > 0) yield { type: 'logprobs', logprobs: cached.logprobs };
  for (const [index, call] of cached.toolCalls.entries()) {
    yield { type: 'tool-call-start', index, id: call.id, name: call.name };
    if (call.arguments) yield { type: 'tool-call-delta', index, argumentsDelta: call.arguments };
  }
  yield { type: 'finish', finishReason: cached.finishReason, usage: cached.usage, toolCalls: cached.toolCalls, costUsd: 0, cache: info };
}

/** Splits on code points, never inside a surrogate pair, so every delta is valid UTF-16. */
function splitForReplay(text: string): string[] {
  const out: string[] = [];
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += REPLAY_CHUNK) out.push(chars.slice(i, i + REPLAY_CHUNK).join(''));
  return out;
}

/**
 * Assembles a live stream into a GenerateResult while it passes through. `result()` is defined
 * only once a `finish` part arrived: a stream that failed or was abandoned records nothing.
 */
export class StreamAssembler {
  private text = '';
  private reasoning = '';
  private logprobs: TokenLogprob[] = [];
  private id: string | undefined;
  private provider: string;
  private model: string;
  private finish: Extract<StreamPart, { type: 'finish' }> | undefined;

  constructor(defaults: { provider: string; model: string }) {
    this.provider = defaults.provider;
    this.model = defaults.model;
  }

  add(part: StreamPart): void {
    switch (part.type) {
      case 'start':
        if (part.id !== undefined) this.id = part.id;
        if (part.provider) this.provider = part.provider;
        if (part.model) this.model = part.model;
        break;
      case 'text-delta':
        this.text += part.delta;
        break;
      case 'reasoning-delta':
        this.reasoning += part.delta;
        break;
      case 'logprobs':
        this.logprobs.push(...part.logprobs);
        break;
      case 'finish':
        this.finish = part;
        break;
      default:
        // Tool-call deltas need no assembly: `finish` carries the complete calls.
        break;
    }
  }

  result(): GenerateResult | undefined {
    const finish = this.finish;
    if (!finish) return undefined;
    const result: GenerateResult = {
      text: this.text,
      toolCalls: finish.toolCalls,
      finishReason: finish.finishReason,
      usage: finish.usage,
      provider: this.provider,
      model: this.model,
    };
    if (this.id !== undefined) result.id = this.id;
    if (this.reasoning) result.reasoning = this.reasoning;
    if (this.logprobs.length > 0) result.logprobs = this.logprobs;
    if (finish.costUsd !== undefined) result.costUsd = finish.costUsd;
    if (finish.cache !== undefined) result.cache = finish.cache;
    return result;
  }
}
