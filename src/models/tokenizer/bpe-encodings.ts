/**
 * Lazy access to the real BPE encodings of `gpt-tokenizer` (a maintained, pure-JS port of OpenAI's
 * tiktoken). Loading an encoding parses its rank table, which costs a few hundred milliseconds and
 * tens of MB, so nothing is loaded until the first count: importing this module is free, and a
 * process that never counts tokens never pays for it.
 *
 * The packages's per-encoding modules are imported through `require` (its CommonJS build) because
 * counting is synchronous: an `import()` would force every caller to become async just to load a
 * table once.
 */
import { createRequire } from 'node:module';

export type BpeEncodingName = 'o200k_base' | 'cl100k_base';

/** The part of gpt-tokenizer's per-encoding module that Conduit uses. */
interface BpeEncodingModule {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  decode(tokens: Iterable<number>): string;
}

export interface BpeEncoding {
  readonly name: BpeEncodingName;
  encode(text: string): number[];
  count(text: string): number;
  decode(tokens: number[]): string;
}

const require = createRequire(import.meta.url);
const loaded = new Map<BpeEncodingName, BpeEncoding>();

/**
 * Text that happens to contain `<|endoftext|>` or another special-token spelling is user data, not
 * a control token: providers tokenise it as ordinary text, and gpt-tokenizer would otherwise throw.
 * An empty disallow set gives tiktoken's `encode_ordinary` behaviour.
 */
const ORDINARY_TEXT = { disallowedSpecial: new Set<string>() };

export function bpeEncoding(name: BpeEncodingName): BpeEncoding {
  const cached = loaded.get(name);
  if (cached) return cached;
  const mod = require(`gpt-tokenizer/cjs/encoding/${name}`) as BpeEncodingModule;
  const encoding: BpeEncoding = {
    name,
    encode: (text) => mod.encode(text, ORDINARY_TEXT),
    count: (text) => (text.length === 0 ? 0 : mod.countTokens(text, ORDINARY_TEXT)),
    decode: (tokens) => mod.decode(tokens),
  };
  loaded.set(name, encoding);
  return encoding;
}

/** Whether an encoding's table is already in memory (lets tests check that loading is lazy). */
export function isBpeEncodingLoaded(name: BpeEncodingName): boolean {
  return loaded.has(name);
}
