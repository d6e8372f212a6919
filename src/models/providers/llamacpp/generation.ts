/**
 * One generation on a loaded GGUF model: render the prompt, check it fits, create a fresh
 * llama.cpp context (per request, so concurrent requests never share KV state and nothing leaks
 * between them), sample with the request's settings, and dispose the context whatever happens.
 *
 * Two paths:
 *  - `auto` prompt format: node-llama-cpp's LlamaChat with the chat wrapper resolved from the
 *    model's own template (it also separates reasoning segments such as <think>…</think>);
 *  - an explicit format: Conduit's template renders the prompt text, which is tokenized with
 *    special tokens enabled and completed with LlamaCompletion, stopping at the format's stop strings.
 */
import {
  LlamaChat,
  LlamaCompletion,
  type ChatWrapper,
  type Llama,
  type LlamaChatResponseChunk,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { ConduitError } from '../../../core/errors.js';
import type { Message } from '../../../core/messages.js';
import type { FinishReason, Usage } from '../../../core/usage.js';
import { emptyUsage } from '../../../core/usage.js';
import type { ModelRequest } from '../../language-model.js';
import { formatPrompt, type PromptFormatName } from '../../templates/index.js';
import { toChatHistory } from './chat-history.js';
import type { GrammarCache } from './grammar.js';
import type { ResolvedLlamaCppOptions } from './options.js';
import type { RequestAbort } from './request-abort.js';
import { untilAborted } from './request-abort.js';

/** Sampling temperature when a request sets none: llama.cpp's own default. */
export const DEFAULT_TEMPERATURE = 0.8;

export interface LoadedLlamaModel {
  llama: Llama;
  model: LlamaModel;
  /** The wrapper the `auto` format uses, resolved once from the model's metadata and template (only for `auto`). */
  chatWrapper: ChatWrapper | undefined;
  contextSize: number;
}

export interface GenerationOutput {
  text: string;
  reasoning: string;
  finishReason: FinishReason;
  usage: Usage;
}

export type GenerationDelta = { type: 'text-delta'; delta: string } | { type: 'reasoning-delta'; delta: string };

function invalid(message: string, param: string): ConduitError {
  return new ConduitError('invalid_request', `llamacpp: ${message}`, { param, provider: 'llamacpp' });
}

/** Rejects what this provider cannot do, before any work starts. */
export function validateRequest(request: ModelRequest): void {
  if (request.tools !== undefined && request.tools.length > 0 && request.toolChoice !== 'none') {
    throw invalid(
      'tool calling is not supported by local GGUF models in Conduit (capabilities.tools is false); ' +
        "remove `tools`, set tool_choice to 'none', or ask for a json_schema response_format instead",
      'tools',
    );
  }
  if (request.toolChoice !== undefined && typeof request.toolChoice === 'object') {
    throw invalid('tool_choice names a tool, but this provider has no tool calling', 'tool_choice');
  }
  if (request.toolChoice === 'required') throw invalid("tool_choice 'required' needs tool calling, which this provider does not have", 'tool_choice');
  for (const message of request.messages) {
    if (Array.isArray(message.content) && message.content.some((part) => part.type === 'image')) {
      throw invalid('image inputs are not supported by this provider (capabilities.vision is false)', 'messages');
    }
  }
  if (request.messages.length === 0) throw invalid('messages must not be empty', 'messages');
  if (request.maxTokens !== undefined && (!Number.isInteger(request.maxTokens) || request.maxTokens < 1)) {
    throw invalid(`max_tokens must be a positive integer, got ${String(request.maxTokens)}`, 'max_tokens');
  }
}

interface RunResult {
  text: string;
  reasoning: string;
  stopReason: StopReason;
}

interface RenderedPrompt {
  inputTokens: number;
  /** Generates on a fresh context sequence. */
  run(sequence: LlamaContextSequence, common: CommonGenerationOptions, onDelta: (delta: GenerationDelta) => void): Promise<RunResult>;
}

interface CommonGenerationOptions {
  signal: AbortSignal;
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  seed: number | undefined;
  grammar: LlamaGrammar | undefined;
  customStopTriggers: string[];
  repeatPenalty: { frequencyPenalty?: number; presencePenalty?: number };
}

type StopReason = 'eogToken' | 'stopGenerationTrigger' | 'functionCalls' | 'maxTokens' | 'abort' | 'customStopTrigger';

function renderAuto(messages: readonly Message[], loaded: LoadedLlamaModel): RenderedPrompt {
  const chatWrapper = loaded.chatWrapper;
  if (!chatWrapper) throw new ConduitError('internal', 'llamacpp: the auto prompt format has no resolved chat wrapper');
  const history = toChatHistory(messages);
  const { contextText } = chatWrapper.generateContextState({ chatHistory: history });
  const inputTokens = contextText.tokenize(loaded.model.tokenizer).length;
  return {
    inputTokens,
    async run(sequence, common, onDelta) {
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
      try {
        const onResponseChunk = (chunk: LlamaChatResponseChunk): void => {
          if (chunk.text === '') return;
          if (chunk.type === undefined) onDelta({ type: 'text-delta', delta: chunk.text });
          else if (chunk.segmentType === 'thought') onDelta({ type: 'reasoning-delta', delta: chunk.text });
        };
        const res = await chat.generateResponse(history, { ...common, onResponseChunk });
        let reasoning = '';
        for (const item of res.fullResponse) if (typeof item !== 'string' && item.segmentType === 'thought') reasoning += item.text;
        return { text: res.response, reasoning, stopReason: res.metadata.stopReason };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    },
  };
}

function renderTemplate(format: PromptFormatName, messages: readonly Message[], loaded: LoadedLlamaModel): RenderedPrompt {
  const { prompt, stop } = formatPrompt(format, messages);
  const { model } = loaded;
  // Special tokens on: the template's markers (<|im_start|>, [INST]…) must become control tokens
  // when the model has them. LlamaCompletion prepends BOS itself when the model wants one, so a BOS
  // written by the template (<s>, <|begin_of_text|>) is dropped here rather than doubled.
  let tokens: Token[] = model.tokenize(prompt, true);
  const prependsBos = model.tokens.shouldPrependBosToken && model.tokens.bos != null;
  if (prependsBos && tokens[0] === model.tokens.bos) tokens = tokens.slice(1);
  return {
    inputTokens: tokens.length + (prependsBos ? 1 : 0),
    async run(sequence, common, onDelta) {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      try {
        const res = await completion.generateCompletionWithMeta(tokens, {
          ...common,
          customStopTriggers: [...stop, ...common.customStopTriggers],
          onTextChunk: (text) => {
            if (text !== '') onDelta({ type: 'text-delta', delta: text });
          },
        });
        return { text: res.response, reasoning: '', stopReason: res.metadata.stopReason };
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    },
  };
}

function finishReasonOf(stopReason: StopReason): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'functionCalls':
      return 'tool_calls';
    case 'abort':
      return 'other';
    default:
      return 'stop';
  }
}

export interface GenerateArgs {
  loaded: LoadedLlamaModel;
  options: ResolvedLlamaCppOptions;
  grammars: GrammarCache;
  request: ModelRequest;
  abort: RequestAbort;
  onDelta: (delta: GenerationDelta) => void;
}

export async function runGeneration({ loaded, options, grammars, request, abort, onDelta }: GenerateArgs): Promise<GenerationOutput> {
  const grammarPromise = grammars.get(loaded.llama, request.responseFormat);
  const grammar = grammarPromise ? await untilAborted(grammarPromise, abort) : undefined;

  const rendered =
    options.promptFormat === 'auto'
      ? renderAuto(request.messages, loaded)
      : renderTemplate(options.promptFormat, request.messages, loaded);
  const room = loaded.contextSize - rendered.inputTokens;
  if (room < 1) {
    throw new ConduitError(
      'context_length',
      `llamacpp: the prompt is ${rendered.inputTokens} tokens, which leaves no room in the ${loaded.contextSize}-token context`,
      { provider: 'llamacpp', model: loaded.model.filename ?? undefined, param: 'messages' },
    );
  }

  const common: CommonGenerationOptions = {
    signal: abort.signal,
    // Without a limit, generation ends at EOS or when the context is full (never by shifting it:
    // silently dropping the start of the conversation is not what an API caller asked for).
    maxTokens: Math.min(request.maxTokens ?? room, room),
    temperature: request.temperature ?? DEFAULT_TEMPERATURE,
    topP: request.topP,
    seed: request.seed ?? options.seed,
    grammar,
    customStopTriggers: (request.stop ?? []).filter((s) => s !== ''),
    repeatPenalty: {
      ...(request.frequencyPenalty !== undefined ? { frequencyPenalty: request.frequencyPenalty } : {}),
      ...(request.presencePenalty !== undefined ? { presencePenalty: request.presencePenalty } : {}),
    },
  };

  abort.throwIfAborted();
  const context = await untilAborted(
    loaded.model.createContext({ contextSize: loaded.contextSize, threads: options.threads, sequences: 1 }),
    abort,
  ).catch((err: unknown) => {
    throw err instanceof ConduitError
      ? err
      : new ConduitError('provider_unavailable', `llamacpp: cannot create a ${loaded.contextSize}-token context: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
          provider: 'llamacpp',
        });
  });
  try {
    options.onContextCreated?.({ threads: context.idealThreads, contextSize: context.contextSize });
    const sequence = context.getSequence();
    let result: RunResult;
    try {
      result = await rendered.run(sequence, common, onDelta);
    } catch (err) {
      if (abort.error) throw abort.error;
      throw new ConduitError('provider_error', `llamacpp: generation failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
        provider: 'llamacpp',
        retryable: false,
      });
    }
    if (abort.error) throw abort.error;
    const usage = emptyUsage();
    usage.inputTokens = rendered.inputTokens;
    // The sequence is fresh, so its meter counts exactly the tokens this request sampled.
    usage.outputTokens = sequence.tokenMeter.usedOutputTokens;
    return { text: result.text, reasoning: result.reasoning, finishReason: finishReasonOf(result.stopReason), usage };
  } finally {
    await context.dispose();
  }
}
