/**
 * The `offline` provider: what Conduit answers with when no model is reachable. It needs nothing,
 * is deterministic, and never pretends to be an LLM — every answer says plainly that no model is
 * configured and how to configure one. It never fabricates tool calls or schema-shaped data.
 */
import { ConduitError } from '../../../core/errors.js';
import type { Usage } from '../../../core/usage.js';
import type { CallOptions, GenerateResult, LanguageModel, ModelRequest, StreamPart } from '../../language-model.js';
import { countMessageTokens } from '../../tokenizer/message-tokens.js';
import { tokenizerFor } from '../../tokenizer/tokenizer.js';
import { NO_MODEL_CONFIGURED, OFFLINE_MESSAGE } from './offline-message.js';

export const OFFLINE_PROVIDER = 'offline';
export const OFFLINE_MODEL_ID = 'offline';

/**
 * Seam for answers that need no model (later: extractive answers from retrieved documents). It
 * returns the answer text, or undefined to fall back to the configuration message. It is consulted
 * only for plain-text requests; JSON requests keep their fixed behaviour.
 */
export type OfflineAnswerer = (request: ModelRequest, options: CallOptions) => string | undefined | Promise<string | undefined>;

export interface OfflineModelOptions {
  answerer?: OfflineAnswerer;
}

export function createOfflineModel(options: OfflineModelOptions = {}): LanguageModel {
  const { answerer } = options;

  async function answerText(request: ModelRequest, callOptions: CallOptions): Promise<string> {
    throwIfAborted(callOptions);
    const format = request.responseFormat;
    if (format?.type === 'json_schema') {
      // An arbitrary schema can only be satisfied by inventing values that fit it, which would be a
      // fabricated answer dressed up as a real one. Refusing is the honest outcome; the error carries
      // the same configuration guidance, and a fallback chain can move on to a real model.
      throw new ConduitError('provider_unavailable', `Structured output (json_schema '${format.name}') needs a language model. ${OFFLINE_MESSAGE}`, {
        provider: OFFLINE_PROVIDER,
        model: OFFLINE_MODEL_ID,
        code: NO_MODEL_CONFIGURED,
        // Retrying the offline provider can never produce a different outcome.
        retryable: false,
      });
    }
    if (format?.type === 'json') {
      // Any JSON object satisfies JSON mode, so the honest message can be given in that shape.
      return JSON.stringify({ error: NO_MODEL_CONFIGURED, message: OFFLINE_MESSAGE });
    }
    if (answerer) {
      const answer = await answerer(request, callOptions);
      if (answer !== undefined) return answer;
    }
    return OFFLINE_MESSAGE;
  }

  function usageFor(request: ModelRequest, text: string): Usage {
    return {
      inputTokens: countMessageTokens(OFFLINE_PROVIDER, OFFLINE_MODEL_ID, request.messages, request.tools),
      outputTokens: tokenizerFor(OFFLINE_PROVIDER, OFFLINE_MODEL_ID).count(text),
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    };
  }

  return {
    provider: OFFLINE_PROVIDER,
    modelId: OFFLINE_MODEL_ID,
    // Tools are accepted and ignored (never called); json_schema is refused, so it is not a capability.
    capabilities: { streaming: true, tools: false, jsonSchema: false, vision: false },

    async generate(request, callOptions = {}): Promise<GenerateResult> {
      const text = await answerText(request, callOptions);
      return {
        text,
        toolCalls: [],
        finishReason: 'stop',
        usage: usageFor(request, text),
        provider: OFFLINE_PROVIDER,
        model: OFFLINE_MODEL_ID,
      };
    },

    async *stream(request, callOptions = {}): AsyncGenerator<StreamPart> {
      const text = await answerText(request, callOptions);
      yield { type: 'start', model: OFFLINE_MODEL_ID, provider: OFFLINE_PROVIDER };
      for (const delta of wordDeltas(text)) {
        throwIfAborted(callOptions);
        yield { type: 'text-delta', delta };
      }
      yield { type: 'finish', finishReason: 'stop', usage: usageFor(request, text), toolCalls: [] };
    },
  };
}

/** Splits text into word-sized deltas (each word with the whitespace after it) whose concatenation is the text. */
export function wordDeltas(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function throwIfAborted(options: CallOptions): void {
  if (options.signal?.aborted) {
    throw new ConduitError('cancelled', 'The request was cancelled', { cause: options.signal.reason, provider: OFFLINE_PROVIDER, model: OFFLINE_MODEL_ID });
  }
}
