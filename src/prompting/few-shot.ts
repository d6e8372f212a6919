/**
 * Few-shot examples: a static set, or the k examples nearest to the input by embedding similarity
 * ("RAG for prompts"), kept within a token budget.
 *
 * Selection is deterministic: similarity descending, ties broken by the example's position in the
 * library. Over budget, the least similar of the chosen examples are dropped first (never replaced
 * by a farther one that happens to be short: a less relevant example is worse than fewer). The
 * selected examples are returned least similar first, most similar last, so the closest example
 * sits right before the real input, where it influences the answer most; `order: 'library'` keeps
 * the library's order instead.
 *
 * An example's cost is what it adds as a user/assistant pair: the tokens of its input and output
 * plus the per-message overhead (TOKENS_PER_MESSAGE each), counted with the tokenizer given
 * (default: the exact o200k tokenizer of gpt-4o).
 */
import type { AssistantMessage, Message, UserMessage } from '../core/messages.js';
import { ConduitError } from '../core/errors.js';
import type { EmbeddingModel } from '../models/language-model.js';
import { cosineSimilarity } from '../models/embeddings/cosine-similarity.js';
import { createDefaultEmbeddingModel } from '../models/embeddings/default-embedding-model.js';
import { TOKENS_PER_MESSAGE } from '../models/tokenizer/message-tokens.js';
import { tokenizerFor, type Tokenizer } from '../models/tokenizer/tokenizer.js';

export interface FewShotExample {
  input: string;
  output: string;
  /** For logs and tests; not rendered. */
  id?: string;
}

export interface SelectedExample extends FewShotExample {
  /** Cosine similarity to the input; undefined for static selection. */
  similarity: number | undefined;
  /** What this example costs in the prompt (see the module comment). */
  tokens: number;
}

export interface FewShotOptions {
  /** How many examples to select. Default 3. */
  k?: number;
  /** Maximum tokens for all selected examples together. Default: no limit. */
  tokenBudget?: number;
  /** Default: the embedded model (createDefaultEmbeddingModel()). */
  embeddingModel?: EmbeddingModel;
  /** Default: tokenizerFor('openai', 'gpt-4o'). */
  tokenizer?: Tokenizer;
  /** Default `most-similar-last`. */
  order?: 'most-similar-last' | 'library';
}

export const DEFAULT_FEW_SHOT_K = 3;

export interface FewShotSelector {
  readonly examples: readonly FewShotExample[];
  /** The first k examples in library order, within the budget (dropping from the end). No embedding. */
  selectStatic(overrides?: Pick<FewShotOptions, 'k' | 'tokenBudget'>): SelectedExample[];
  /** The k examples nearest to `input`, within the budget. Embeds the library once, then only the input. */
  select(input: string, overrides?: Pick<FewShotOptions, 'k' | 'tokenBudget' | 'order'>): Promise<SelectedExample[]>;
}

export function createFewShotSelector(examples: readonly FewShotExample[], options: FewShotOptions = {}): FewShotSelector {
  const library = examples.map((e) => ({ ...e }));
  const tokenizer = options.tokenizer ?? tokenizerFor('openai', 'gpt-4o');
  let embeddingModel = options.embeddingModel;
  let libraryVectors: Promise<number[][]> | undefined;
  const costs = library.map((e) => tokenizer.count(e.input) + tokenizer.count(e.output) + 2 * TOKENS_PER_MESSAGE);

  const settings = (overrides: Pick<FewShotOptions, 'k' | 'tokenBudget'>): { k: number; budget: number } => {
    const k = overrides.k ?? options.k ?? DEFAULT_FEW_SHOT_K;
    const budget = overrides.tokenBudget ?? options.tokenBudget ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(k) || k < 0) throw new ConduitError('invalid_request', `few-shot k must be a non-negative integer, got ${k}`, { param: 'k' });
    if (!(budget >= 0)) throw new ConduitError('invalid_request', `few-shot tokenBudget must be >= 0, got ${budget}`, { param: 'tokenBudget' });
    return { k, budget };
  };

  /** `ranked` is best first; drops from its end until the total fits. */
  const fitBudget = (ranked: number[], budget: number): number[] => {
    const kept = [...ranked];
    let total = kept.reduce((sum, i) => sum + (costs[i] ?? 0), 0);
    while (kept.length > 0 && total > budget) total -= costs[kept.pop() as number] ?? 0;
    return kept;
  };

  const embedLibrary = (): Promise<number[][]> => {
    libraryVectors ??= (async () => {
      embeddingModel ??= createDefaultEmbeddingModel();
      const result = await embeddingModel.embed(library.map((e) => e.input));
      if (result.embeddings.length !== library.length) {
        throw new ConduitError('provider_error', `embedding model returned ${result.embeddings.length} vectors for ${library.length} examples`);
      }
      return result.embeddings;
    })().catch((err: unknown) => {
      libraryVectors = undefined; // a failed embedding is not cached: a later call may succeed
      throw err;
    });
    return libraryVectors;
  };

  return {
    examples: library,

    selectStatic(overrides = {}) {
      const { k, budget } = settings(overrides);
      const chosen = fitBudget(library.slice(0, k).map((_, i) => i), budget);
      return chosen.map((i) => ({ ...(library[i] as FewShotExample), similarity: undefined, tokens: costs[i] ?? 0 }));
    },

    async select(input, overrides = {}) {
      const { k, budget } = settings(overrides);
      if (k === 0 || library.length === 0) return [];
      const vectors = await embedLibrary();
      embeddingModel ??= createDefaultEmbeddingModel();
      const [query] = (await embeddingModel.embed([input])).embeddings;
      if (query === undefined) throw new ConduitError('provider_error', 'embedding model returned no vector for the input');
      const similarity = vectors.map((v) => cosineSimilarity(query, v));
      const ranked = library.map((_, i) => i).sort((a, b) => (similarity[b] ?? 0) - (similarity[a] ?? 0) || a - b);
      const chosen = fitBudget(ranked.slice(0, k), budget);
      const ordered = (overrides.order ?? options.order ?? 'most-similar-last') === 'library' ? [...chosen].sort((a, b) => a - b) : [...chosen].reverse();
      return ordered.map((i) => ({ ...(library[i] as FewShotExample), similarity: similarity[i], tokens: costs[i] ?? 0 }));
    },
  };
}

/** Alternating user/assistant messages, one pair per example, to put between the system prompt and the input. */
export function fewShotMessages(examples: readonly FewShotExample[]): Message[] {
  return examples.flatMap((e): [UserMessage, AssistantMessage] => [
    { role: 'user', content: e.input },
    { role: 'assistant', content: e.output },
  ]);
}

export interface FewShotTextOptions {
  /** Default `Input`. */
  inputLabel?: string;
  /** Default `Output`. */
  outputLabel?: string;
}

/** The examples as one text block (`Input: …` / `Output: …`, a blank line between examples), for prompts that inline them. */
export function fewShotText(examples: readonly FewShotExample[], options: FewShotTextOptions = {}): string {
  const inputLabel = options.inputLabel ?? 'Input';
  const outputLabel = options.outputLabel ?? 'Output';
  return examples.map((e) => `${inputLabel}: ${e.input}\n${outputLabel}: ${e.output}`).join('\n\n');
}
