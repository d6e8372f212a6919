/**
 * Text normalisation for detection. Rules are written against plain lowercase English; attackers
 * write "ｉｇｎｏｒｅ", "іgnore" (Cyrillic і), "ig\u200Bnore", "1gn0re", "i g n o r e" or "ig-no-re".
 * Folding the input to one canonical form first means every rule is robust to every evasion at
 * once, instead of each regex trying to anticipate them.
 *
 * Two folds:
 *  - `normaliseForPii`: NFKC per character and invisible characters removed. Case, digits and
 *    punctuation stay (a card number must stay a card number); fullwidth "１２３" becomes "123".
 *  - `foldForDetection`: additionally strips diacritics (NFKD + marks), folds homoglyphs to Latin,
 *    lowercases, and folds leetspeak (0→o 1→i 3→e 4→a 5→s 7→t @→a $→s). Because "1" may stand for
 *    "i" or "l", the detection alphabet also folds "l" to "i" (a "skeleton", as in UTS #39), and
 *    rule patterns are written through `skeleton()` so "all" in a rule matches "a11", "aII", "all".
 *
 * Both keep, for every output character, the span of the original text it came from, so a match
 * on the folded text can be reported on the original (PII replacement needs exact original offsets;
 * injection only needs an excerpt). Derived views for phrase rules:
 *  - `wordsView`: every run of non-alphanumerics becomes one space, and runs of single letters
 *    ("i g n o r e", "i.g.n.o.r.e", one letter per line) are joined back into words.
 *  - `lettersView`: letters only ("ig-no-re" → "ignore"), for long, specific phrases only, since
 *    dropping word boundaries would make short phrases match inside innocent words.
 */
import { CONFUSABLES } from './confusables.js';

export interface NormalisedText {
  readonly original: string;
  readonly text: string;
  /** For each char of `text`, the UTF-16 offset in `original` where its source begins; null when the mapping is the identity. */
  readonly starts: Int32Array | null;
  /** For each char of `text`, the UTF-16 offset in `original` where its source ends (exclusive); null when the identity. */
  readonly ends: Int32Array | null;
}

/** Zero-width, format (Cf: ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM, soft hyphen, bidi controls, tags…) and other blank-rendering characters. */
export function isInvisible(cp: number): boolean {
  if (cp < 0x20) return cp !== 0x09 && cp !== 0x0a && cp !== 0x0d;
  if (cp < 0x7f) return false;
  if (cp <= 0x9f) return true; // DEL and C1 controls
  if (cp >= 0xe0000 && cp <= 0xe007f) return true; // tag characters (incl. unassigned U+E0000)
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) return true; // variation selectors
  if (cp === 0x034f || cp === 0x115f || cp === 0x1160 || cp === 0x3164 || cp === 0xffa0 || cp === 0x2800) return true; // CGJ, Hangul fillers, braille blank
  return FORMAT_CHAR.test(String.fromCodePoint(cp));
}

const FORMAT_CHAR = /^\p{Cf}$/u;
const MARKS = /\p{M}/gu;
const OTHER_SPACE = /^\p{Zs}$/u;

// ---------- per-character folds (ASCII by table, the rest computed once and cached) ----------

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** The detection fold of one ASCII character; also used by `skeleton()` so rules and input agree. */
function detectAscii(code: number): string {
  if (code === 0x0d) return '\n';
  if (code < 0x20 && code !== 0x09 && code !== 0x0a) return '';
  if (code === 0x7f) return '';
  const ch = String.fromCharCode(code).toLowerCase();
  const leet = LEET[ch];
  if (leet !== undefined) return leet;
  return ch === 'l' ? 'i' : ch;
}

const DETECT_ASCII: readonly string[] = Array.from({ length: 128 }, (_, c) => detectAscii(c));
const PII_ASCII: readonly string[] = Array.from({ length: 128 }, (_, c) => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f ? '' : String.fromCharCode(c));

/** Caches are bounded so a flood of distinct code points cannot grow memory without limit. */
const CACHE_LIMIT = 8192;
const detectCache = new Map<number, string>();
const piiCache = new Map<number, string>();

function cached(cache: Map<number, string>, cp: number, compute: (cp: number) => string): string {
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const value = compute(cp);
  if (cache.size < CACHE_LIMIT) cache.set(cp, value);
  return value;
}

function foldLineOrSpace(cp: number): string | undefined {
  if (cp === 0x2028 || cp === 0x2029 || cp === 0x85) return '\n';
  if (OTHER_SPACE.test(String.fromCodePoint(cp))) return ' ';
  return undefined;
}

function computeDetectFold(cp: number): string {
  if (isInvisible(cp)) return '';
  const space = foldLineOrSpace(cp);
  if (space !== undefined) return space;
  const direct = CONFUSABLES.get(cp);
  if (direct !== undefined) return DETECT_ASCII[direct.charCodeAt(0)] ?? direct;
  let out = '';
  for (const ch of String.fromCodePoint(cp).toLowerCase().normalize('NFKD').replace(MARKS, '')) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 128) {
      out += DETECT_ASCII[code] ?? '';
      continue;
    }
    const lower = ch.toLowerCase();
    const conf = CONFUSABLES.get(code) ?? CONFUSABLES.get(lower.codePointAt(0) ?? 0);
    out += conf !== undefined ? (DETECT_ASCII[conf.charCodeAt(0)] ?? conf) : isInvisible(code) ? '' : lower;
  }
  return out;
}

function computePiiFold(cp: number): string {
  if (isInvisible(cp)) return '';
  const space = foldLineOrSpace(cp);
  if (space !== undefined) return space;
  return String.fromCodePoint(cp).normalize('NFKC');
}

// ---------- building a mapped view ----------

/** Accumulates output char codes with, per output char, the original span it came from. */
class MappedBuilder {
  codes: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  length = 0;

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.codes = new Uint16Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
  }

  pushCode(code: number, start: number, end: number): void {
    if (this.length >= this.codes.length) this.grow(this.length + 1);
    const k = this.length++;
    this.codes[k] = code;
    this.starts[k] = start;
    this.ends[k] = end;
  }

  push(piece: string, start: number, end: number): void {
    for (let k = 0; k < piece.length; k++) this.pushCode(piece.charCodeAt(k), start, end);
  }

  private grow(need: number): void {
    const size = Math.max(need, this.codes.length * 2);
    const codes = new Uint16Array(size);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    codes.set(this.codes);
    starts.set(this.starts);
    ends.set(this.ends);
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }

  finish(original: string): NormalisedText {
    return { original, text: decodeCodes(this.codes, this.length), starts: this.starts.subarray(0, this.length), ends: this.ends.subarray(0, this.length) };
  }
}

/** UTF-16 code units to a string, in chunks (fromCharCode.apply has an argument-count limit). */
function decodeCodes(codes: Uint16Array, length: number): string {
  const CHUNK = 8192;
  if (length <= CHUNK) return String.fromCharCode.apply(null, codes.subarray(0, length) as unknown as number[]);
  let out = '';
  for (let i = 0; i < length; i += CHUNK) out += String.fromCharCode.apply(null, codes.subarray(i, Math.min(length, i + CHUNK)) as unknown as number[]);
  return out;
}

/** Per ASCII code, the single output code, -1 to drop, or -2 when the fold is not a single char. */
function asciiCodes(table: readonly string[]): Int32Array {
  return Int32Array.from(table, (s) => (s.length === 0 ? -1 : s.length === 1 ? s.charCodeAt(0) : -2));
}
const DETECT_ASCII_CODES = asciiCodes(DETECT_ASCII);
const PII_ASCII_CODES = asciiCodes(PII_ASCII);

function fold(input: string, ascii: readonly string[], asciiCodes: Int32Array, cache: Map<number, string>, compute: (cp: number) => string): NormalisedText {
  const b = new MappedBuilder(input.length);
  const n = input.length;
  for (let i = 0; i < n; ) {
    const code = input.charCodeAt(i);
    if (code < 128) {
      const out = asciiCodes[code] ?? -1;
      if (out >= 0) b.pushCode(out, i, i + 1);
      else if (out === -2) b.push(ascii[code] ?? '', i, i + 1);
      i++;
      continue;
    }
    const cp = input.codePointAt(i) ?? code;
    const width = cp > 0xffff ? 2 : 1;
    const piece = cached(cache, cp, compute);
    if (piece.length > 0) b.push(piece, i, i + width);
    i += width;
  }
  return b.finish(input);
}

/** Characters for which the PII view is the identity: printable ASCII and ordinary whitespace. */
const NEEDS_PII_FOLD = /[^\x20-\x7e\t\n\r]/;

/** NFKC and invisible-character removal, keeping case, digits and punctuation. Identity (no maps) for plain ASCII. */
export function normaliseForPii(input: string): NormalisedText {
  if (!NEEDS_PII_FOLD.test(input)) return { original: input, text: input, starts: null, ends: null };
  return fold(input, PII_ASCII, PII_ASCII_CODES, piiCache, computePiiFold);
}

/** The full detection fold: invisible chars removed, NFKD without marks, homoglyphs, lowercase, leetspeak, l→i. */
export function foldForDetection(input: string): NormalisedText {
  // Fast path (most traffic): printable ASCII and ordinary whitespace fold 1:1, so native string
  // operations do the work and the mapping is the identity.
  if (!NEEDS_PII_FOLD.test(input)) {
    // "l" is the common case and folds with a native replaceAll; the rarer leet characters need a lookup.
    let text = input.toLowerCase().replaceAll('l', 'i');
    if (ASCII_LEET_TEST.test(text)) text = text.replace(ASCII_LEET_CHARS, (ch) => DETECT_ASCII[ch.charCodeAt(0)] ?? ch);
    return { original: input, text, starts: null, ends: null };
  }
  return fold(input, DETECT_ASCII, DETECT_ASCII_CODES, detectCache, computeDetectFold);
}

/** ASCII characters whose detection fold is not plain lowercasing (leetspeak, CR → LF); "l" → "i" is done apart. */
const ASCII_LEET_CHARS = /[013457@$\r]/g;
const ASCII_LEET_TEST = /[013457@$\r]/;

/** Folds a rule's literal text (a keyword, or the letters of a regex source) into the detection alphabet. */
export function skeleton(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code < 128 ? (DETECT_ASCII[code] ?? '') : cached(detectCache, code, computeDetectFold);
  }
  return out;
}

/**
 * Folds the letters of a regex source into the detection alphabet (only "l" → "i" changes for
 * lowercase ASCII sources), leaving escapes such as `\s`, `\b`, `\n` untouched. Patterns must be
 * written in lowercase and without digits, since neither survives the detection fold.
 */
export function skeletonPattern(source: string): string {
  return source.replace(/(\\.)|l/g, (m, escape: string | undefined) => (escape !== undefined ? m : 'i'));
}

// ---------- derived views ----------

function isWordCode(code: number, text: string, index: number): boolean {
  if (code < 128) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
  return WORD_CHAR.test(text[index] ?? '');
}
const WORD_CHAR = /^[\p{L}\p{N}]$/u;

/** Maps an index of `source.text` to its original start/end. */
function srcStart(source: NormalisedText, k: number): number {
  return source.starts ? (source.starts[k] ?? 0) : k;
}
function srcEnd(source: NormalisedText, k: number): number {
  return source.ends ? (source.ends[k] ?? 0) : k + 1;
}

/**
 * Non-alphanumeric runs collapse to one space; runs of three or more single-character tokens
 * ("i g n o r e", "i.g.n.o.r.e", one letter per line) are joined, with a word break kept where the
 * separator is wider than the run's narrowest one ("i g n o r e   a l l" → "ignore all").
 */
export function wordsView(source: NormalisedText): NormalisedText {
  const text = source.text;
  // Tokenise into [start, end) word spans.
  const tokStart: number[] = [];
  const tokEnd: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (!isWordCode(text.charCodeAt(i), text, i)) {
      i++;
      continue;
    }
    const s = i;
    while (i < text.length && isWordCode(text.charCodeAt(i), text, i)) i++;
    tokStart.push(s);
    tokEnd.push(i);
  }
  const b = new MappedBuilder(text.length);
  const count = tokStart.length;
  let t = 0;
  while (t < count) {
    // A run of single-char tokens?
    let runEnd = t;
    while (runEnd < count && (tokEnd[runEnd] ?? 0) - (tokStart[runEnd] ?? 0) === 1) runEnd++;
    if (runEnd - t >= 3) {
      let narrowest = Infinity;
      for (let k = t + 1; k < runEnd; k++) narrowest = Math.min(narrowest, (tokStart[k] ?? 0) - (tokEnd[k - 1] ?? 0));
      for (let k = t; k < runEnd; k++) {
        const at = tokStart[k] ?? 0;
        if (k > t && (tokStart[k] ?? 0) - (tokEnd[k - 1] ?? 0) > narrowest) b.pushCode(0x20, srcStart(source, at), srcStart(source, at));
        else if (k === t && b.length > 0) b.pushCode(0x20, srcStart(source, at), srcStart(source, at));
        b.pushCode(text.charCodeAt(at), srcStart(source, at), srcEnd(source, at));
      }
      t = runEnd;
      continue;
    }
    const s = tokStart[t] ?? 0;
    const e = tokEnd[t] ?? 0;
    if (b.length > 0) b.pushCode(0x20, srcStart(source, s), srcStart(source, s));
    for (let k = s; k < e; k++) b.pushCode(text.charCodeAt(k), srcStart(source, k), srcEnd(source, k));
    t++;
  }
  return b.finish(source.original);
}

/** Only the letters a–z of the detection fold: defeats "ig-no-re" and "i_g_n_o_r_e" for long, specific phrases. */
export function lettersView(source: NormalisedText): NormalisedText {
  const text = source.text;
  const b = new MappedBuilder(text.length);
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code >= 0x61 && code <= 0x7a) b.pushCode(code, srcStart(source, k), srcEnd(source, k));
  }
  return b.finish(source.original);
}

/** The original-text span behind `[start, end)` of a normalised view. */
export function originalSpan(view: NormalisedText, start: number, end: number): { start: number; end: number } {
  if (end <= start) {
    const at = start < view.text.length ? srcStart(view, start) : view.original.length;
    return { start: at, end: at };
  }
  return { start: srcStart(view, start), end: srcEnd(view, end - 1) };
}

/**
 * A derived view whose text is computed eagerly (cheaply, with native string operations where the
 * input allows) and whose offset map is built only when a match must be reported on the original.
 */
export class LazyView {
  private built: NormalisedText | undefined;

  constructor(
    readonly text: string,
    private readonly build: () => NormalisedText,
  ) {}

  /** The mapped view; its text is identical to `text`. */
  get mapped(): NormalisedText {
    this.built ??= this.build();
    return this.built;
  }

  /** The original-text span behind `[start, end)` of this view. */
  originalSpan(start: number, end: number): { start: number; end: number } {
    return originalSpan(this.mapped, start, end);
  }
}

/** The three views the injection and content rules run on. */
export interface DetectionViews {
  /** Detection fold, punctuation and line breaks kept (structural rules: role tags, line-start "system:"). */
  folded: NormalisedText;
  /** Words separated by single spaces (phrase rules). */
  words: LazyView;
  /** Letters only (long phrase rules that must survive "ig-no-re"). */
  letters: LazyView;
}

const NON_ASCII = /[\u0080-\uffff]/;
const ASCII_SEPARATORS = /[^a-z0-9]+/g;
const NON_LETTERS = /[^a-z]+/g;
const DIGIT = /[0-9]/;
/** Three single-character tokens in a row (on the collapsed words): the words view must rejoin them, so take the full algorithm. */
const SINGLE_LETTER_RUN = /(?:^| )[a-z0-9] [a-z0-9] [a-z0-9](?: |$)/;

export function detectionViews(input: string): DetectionViews {
  const folded = foldForDetection(input);
  const t = folded.text;
  let wordsText: string;
  if (NON_ASCII.test(t)) wordsText = wordsView(folded).text;
  else {
    wordsText = t.replace(ASCII_SEPARATORS, ' ').trim();
    if (SINGLE_LETTER_RUN.test(wordsText)) wordsText = wordsView(folded).text;
  }
  // Letters: the words without spaces (and digits); same result as filtering the fold to a–z.
  const lettersText = NON_ASCII.test(wordsText) || DIGIT.test(wordsText) ? t.replace(NON_LETTERS, '') : wordsText.replaceAll(' ', '');
  return {
    folded,
    words: new LazyView(wordsText, () => wordsView(folded)),
    letters: new LazyView(lettersText, () => lettersView(folded)),
  };
}
