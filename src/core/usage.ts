/**
 * Token usage, normalised across providers.
 *
 * `inputTokens` counts every prompt token, including cached reads and cache writes (OpenAI's
 * `prompt_tokens` semantics). Anthropic reports `input_tokens` without cache reads/writes, so its
 * adapter adds them. `cachedInputTokens` and `cacheWriteTokens` are subsets of `inputTokens`;
 * `reasoningTokens` is a subset of `outputTokens`.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

export function totalTokens(u: Usage): number {
  return u.inputTokens + u.outputTokens;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';
