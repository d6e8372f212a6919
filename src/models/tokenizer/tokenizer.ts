/**
 * Per-model tokenizers. OpenAI models get their real BPE encoding (exact counts); every other model
 * gets a documented estimate, labelled `exact: false`, so callers never mistake an estimate for
 * what a provider will bill. Provider-reported usage always wins over these counts; they are for
 * budgeting before a call, for providers that report no usage, and for models that run locally.
 */
import { bpeEncoding, type BpeEncodingName } from './bpe-encodings.js';

export interface Tokenizer {
  /** `o200k_base`, `cl100k_base`, or the name of an estimate (`anthropic-estimate`, `cl100k_base-estimate`, …). */
  name: string;
  /** True only when `count` is what the provider itself counts for plain text. */
  exact: boolean;
  count(text: string): number;
  /** Token ids; present only for exact tokenizers (an estimate's ids are not the model's ids). */
  encode?(text: string): number[];
}

/**
 * Anthropic publishes no tokenizer for Claude 3 and later (its only public one, for Claude 2, is
 * obsolete; exact counts come from the Messages API's usage and its `count_tokens` endpoint).
 * Independent measurements of Claude 3.5 Sonnet against GPT-4o on identical inputs found Claude
 * using about 16% more tokens for English prose, 21% for maths and 30% for Python code (L. Gupta,
 * "Hidden costs in AI deployment: why Claude models may be 20–30% more expensive than GPT",
 * VentureBeat, May 2025). cl100k and o200k counts are within a few percent of each other for
 * English, so 1.2 × cl100k sits in the middle of that range: it overestimates prose slightly and
 * underestimates code slightly, which is the safer side for context-window budgeting of prose.
 */
export const CLAUDE_TOKEN_FACTOR = 1.2;

/** Model id prefixes that use o200k_base (checked before the cl100k list: `gpt-4o` also starts with `gpt-4`). */
const O200K_PREFIXES = ['gpt-4o', 'chatgpt-4o', 'gpt-4.1', 'gpt-4.5', 'gpt-5', 'o1', 'o3', 'o4', 'gpt-oss', 'codex-mini'];
const CL100K_PREFIXES = ['gpt-4', 'gpt-3.5', 'text-embedding-3', 'text-embedding-ada-002'];

const tokenizers = new Map<string, Tokenizer>();

/**
 * Counts of short texts, per encoding. Prompts repeat (system prompts, roles, templates), and the
 * gateway counts every request's prompt before the call for budgets and token limits: a count is a
 * pure function of (encoding, text), so remembering it changes nothing but the CPU spent. Bounded
 * in entries and text length; cleared whole when full (cheaper than LRU bookkeeping per hit).
 */
const MEMO_MAX_TEXT = 2048;
const MEMO_MAX_ENTRIES = 4096;
const memos = new Map<BpeEncodingName, Map<string, number>>();

function memoCount(name: BpeEncodingName, text: string): number {
  if (text.length > MEMO_MAX_TEXT) return bpeEncoding(name).count(text);
  let memo = memos.get(name);
  if (memo === undefined) {
    memo = new Map();
    memos.set(name, memo);
  }
  let n = memo.get(text);
  if (n === undefined) {
    n = bpeEncoding(name).count(text);
    if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
    memo.set(text, n);
  }
  return n;
}

function exactTokenizer(name: BpeEncodingName): Tokenizer {
  return {
    name,
    exact: true,
    // The encoding is resolved on each call (a map lookup) so that creating a tokenizer never loads a table.
    count: (text) => memoCount(name, text),
    encode: (text) => bpeEncoding(name).encode(text),
  };
}

function estimateTokenizer(name: string, base: BpeEncodingName, factor: number): Tokenizer {
  return {
    name,
    exact: false,
    count: (text) => {
      const n = memoCount(base, text);
      return factor === 1 ? n : Math.ceil(n * factor);
    },
  };
}

function cached(key: string, make: () => Tokenizer): Tokenizer {
  let t = tokenizers.get(key);
  if (!t) {
    t = make();
    tokenizers.set(key, t);
  }
  return t;
}

/** `openai/gpt-4o` → `gpt-4o`; `ft:gpt-4o-mini-2024-07-18:org::abc` → `gpt-4o-mini-2024-07-18:org::abc`. */
function normaliseModelId(model: string): string {
  let id = model.trim().toLowerCase();
  const slash = id.lastIndexOf('/');
  if (slash >= 0) id = id.slice(slash + 1);
  if (id.startsWith('ft:')) id = id.slice(3);
  return id;
}

/**
 * The tokenizer for a model. Never throws and never loads anything by itself: unknown models get an
 * estimate, and the BPE table loads on the first `count`/`encode`.
 */
export function tokenizerFor(provider: string, model: string): Tokenizer {
  const id = normaliseModelId(model);
  if (O200K_PREFIXES.some((p) => id.startsWith(p))) return cached('o200k_base', () => exactTokenizer('o200k_base'));
  if (CL100K_PREFIXES.some((p) => id.startsWith(p))) return cached('cl100k_base', () => exactTokenizer('cl100k_base'));
  // Bedrock/Vertex-style ids (`anthropic.claude-3-5-sonnet-…`) contain `claude` without starting with it.
  if (provider === 'anthropic' || id.includes('claude')) {
    return cached('anthropic-estimate', () => estimateTokenizer('anthropic-estimate', 'cl100k_base', CLAUDE_TOKEN_FACTOR));
  }
  // An OpenAI model this table does not know yet is almost certainly a newer one, and every OpenAI
  // model since gpt-4o uses o200k — but it is still a guess, so it is not labelled exact.
  if (provider === 'openai') return cached('o200k_base-estimate', () => estimateTokenizer('o200k_base-estimate', 'o200k_base', 1));
  // Llama, Mistral, Qwen, Gemma … have their own vocabularies. Llama 3's 128k vocabulary extends
  // cl100k's, so counts are close; models with 32k vocabularies (Llama 2, Mistral 7B) produce
  // noticeably more tokens than cl100k, so for them this is on the low side. Good enough for
  // budgeting and for usage figures of local models, which cost nothing either way.
  return cached('cl100k_base-estimate', () => estimateTokenizer('cl100k_base-estimate', 'cl100k_base', 1));
}
