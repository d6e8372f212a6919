/**
 * A minuscule `llama`-architecture GGUF model that the test suite writes itself (nothing binary is
 * committed and nothing is downloaded). Output quality is irrelevant; what matters is that
 * llama.cpp (through node-llama-cpp) loads it, tokenizes, samples, streams, honours grammars and
 * thread settings — quickly, on two busy cores.
 *
 * Tokenizer: GPT-2 style byte-level BPE (`tokenizer.ggml.model = "gpt2"`): the 256 byte tokens in
 * GPT-2's printable byte↔unicode mapping, a handful of merges, and the ChatML control tokens. The
 * chat template is the canonical ChatML Jinja template, so node-llama-cpp's automatic chat-wrapper
 * resolution picks its ChatML wrapper.
 *
 * Weights are seeded pseudo-random f32, shaped so that the model behaves predictably:
 *  - every token embedding has a constant 1.0 in dimension 0 and small noise elsewhere, and the
 *    blocks' weights are small, so after the final RMS norm dimension 0 dominates the hidden state;
 *  - each output row's dimension 0 therefore acts as a per-token logit bias. Control tokens (EOS…)
 *    and non-printable bytes get a strongly negative bias, so free text never ends early (a test
 *    can rely on finishReason 'length') and is always printable ASCII (valid UTF-8, so streamed
 *    chunks concatenate to exactly the final text); `"`, `}` and `]` get a positive bias, so
 *    grammar-constrained JSON closes its strings and objects within a few tokens.
 */
import { writeFile } from 'node:fs/promises';
import { encodeGguf, type GgufTensor, type GgufValue } from './gguf-writer.js';

export interface TinyGgufOptions {
  /** Seed of the weight generator; the same seed always gives the same file. */
  seed?: number;
  layers?: number;
  embedding?: number;
  heads?: number;
  headsKv?: number;
  feedForward?: number;
  contextLength?: number;
  /** `general.name`. */
  name?: string;
  /** Jinja chat template; `null` leaves `tokenizer.chat_template` out. Defaults to ChatML. */
  chatTemplate?: string | null;
}

/** The canonical ChatML template (as published with ChatML models on Hugging Face). */
export const CHATML_JINJA_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** BPE merges, highest priority first; each result is also a vocabulary entry. */
const MERGES = ['Ġ t', 'h e', 'Ġt he', 'i n', 'e r', 'o n', 'Ġ a', 'r e', 'a n'] as const;
const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** llama.cpp token types (`llama_token_type`). */
const TOKEN_TYPE_NORMAL = 1;
const TOKEN_TYPE_CONTROL = 3;

/** GPT-2's `bytes_to_unicode`: every byte maps to a printable code point, so BPE works on strings. */
function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCodePoint(256 + extra++);
  }
  return table;
}

export interface TinyVocabulary {
  tokens: string[];
  tokenTypes: number[];
  merges: string[];
  bosId: number;
  eosId: number;
  /** Logit bias (in units of the dominant hidden dimension) per token id; see the file comment. */
  bias: number[];
}

export function tinyVocabulary(): TinyVocabulary {
  const byteTokens = byteToUnicode();
  const tokens = [...byteTokens];
  const tokenTypes = tokens.map(() => TOKEN_TYPE_NORMAL);
  const bias = byteTokens.map((_, b): number => {
    if (b === 0x22 || b === 0x7d || b === 0x5d) return 0.35; // '"' '}' ']'
    return b >= 0x20 && b <= 0x7e ? 0 : -3;
  });
  for (const merge of MERGES) {
    tokens.push(merge.replace(' ', ''));
    tokenTypes.push(TOKEN_TYPE_NORMAL);
    bias.push(0);
  }
  for (const special of SPECIAL_TOKENS) {
    tokens.push(special);
    tokenTypes.push(TOKEN_TYPE_CONTROL);
    bias.push(-4);
  }
  return {
    tokens,
    tokenTypes,
    merges: [...MERGES],
    bosId: tokens.indexOf('<|endoftext|>'),
    eosId: tokens.indexOf('<|im_end|>'),
    bias,
  };
}

/** mulberry32: a tiny, good-enough seeded PRNG; returns uniform values in [-1, 1). */
function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Builds the GGUF bytes of the tiny model. */
export function buildTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const nLayer = options.layers ?? 2;
  const nEmbd = options.embedding ?? 64;
  const nHead = options.heads ?? 2;
  const nHeadKv = options.headsKv ?? nHead;
  const nFf = options.feedForward ?? 128;
  const nCtx = options.contextLength ?? 256;
  if (nEmbd % nHead !== 0) throw new Error('embedding must be a multiple of heads');
  const headDim = nEmbd / nHead;
  const nEmbdKv = headDim * nHeadKv;

  const vocab = tinyVocabulary();
  const nVocab = vocab.tokens.length;
  const rand = seededUniform(options.seed ?? 1234);
  const random = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => rand() * scale);
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

  const tokenEmbd = random(nVocab * nEmbd, 0.1);
  for (let t = 0; t < nVocab; t++) tokenEmbd[t * nEmbd] = 1;
  const output = random(nVocab * nEmbd, 0.5);
  for (let t = 0; t < nVocab; t++) output[t * nEmbd] = vocab.bias[t]!;

  // Block weights stay small so the residual stream keeps dimension 0 dominant (see file comment).
  const small = 0.03;
  const tensors: GgufTensor[] = [{ name: 'token_embd.weight', dims: [nEmbd, nVocab], data: tokenEmbd }];
  for (let i = 0; i < nLayer; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `blk.${i}.attn_q.weight`, dims: [nEmbd, nEmbd], data: random(nEmbd * nEmbd, small) },
      { name: `blk.${i}.attn_k.weight`, dims: [nEmbd, nEmbdKv], data: random(nEmbd * nEmbdKv, small) },
      { name: `blk.${i}.attn_v.weight`, dims: [nEmbd, nEmbdKv], data: random(nEmbd * nEmbdKv, small) },
      { name: `blk.${i}.attn_output.weight`, dims: [nEmbd, nEmbd], data: random(nEmbd * nEmbd, small) },
      { name: `blk.${i}.ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `blk.${i}.ffn_gate.weight`, dims: [nEmbd, nFf], data: random(nEmbd * nFf, small) },
      { name: `blk.${i}.ffn_up.weight`, dims: [nEmbd, nFf], data: random(nEmbd * nFf, small) },
      { name: `blk.${i}.ffn_down.weight`, dims: [nFf, nEmbd], data: random(nFf * nEmbd, small) },
    );
  }
  tensors.push(
    { name: 'output_norm.weight', dims: [nEmbd], data: ones(nEmbd) },
    { name: 'output.weight', dims: [nEmbd, nVocab], data: output },
  );

  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.name ?? 'conduit-tiny-test' }],
    ['general.file_type', { type: 'u32', value: 0 }], // LLAMA_FTYPE_ALL_F32
    ['llama.context_length', { type: 'u32', value: nCtx }],
    ['llama.embedding_length', { type: 'u32', value: nEmbd }],
    ['llama.block_count', { type: 'u32', value: nLayer }],
    ['llama.feed_forward_length', { type: 'u32', value: nFf }],
    ['llama.attention.head_count', { type: 'u32', value: nHead }],
    ['llama.attention.head_count_kv', { type: 'u32', value: nHeadKv }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: nVocab }],
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: 'default' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocab.tokenTypes }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: vocab.merges }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: vocab.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: vocab.eosId }],
    // BOS on: node-llama-cpp's chat wrappers always start with BOS, so raw templates must match.
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
  ];
  const template = options.chatTemplate === undefined ? CHATML_JINJA_TEMPLATE : options.chatTemplate;
  if (template !== null) metadata.push(['tokenizer.chat_template', { type: 'string', value: template }]);

  return encodeGguf({ metadata, tensors });
}

/** Writes the tiny model to `path` and returns the path. */
export async function writeTinyGguf(path: string, options: TinyGgufOptions = {}): Promise<string> {
  await writeFile(path, buildTinyGguf(options));
  return path;
}
