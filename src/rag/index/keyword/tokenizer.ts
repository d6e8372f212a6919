/**
 * The keyword tokeniser shared by indexing and querying. Technical text is full of tokens that a
 * plain word splitter destroys (`fs.readFile`, `--max-old-space-size`, `node:test`, `NODE_ENV`),
 * so a compound token is kept whole (lower-cased, outer punctuation stripped) AND split into its
 * parts (including camelCase parts): a query for the exact identifier matches it exactly and ranks
 * it highly (the compound is rare, hence a high IDF), while a query for "read file" still finds it.
 * Plain words are lower-cased, English stop-words dropped, and plurals folded by the S-stemmer
 * (Harman 1991), which is conservative enough not to mangle identifiers.
 */

/** Runs of letters/digits/underscores joined by `.`, `-`, `/`, `:`, `#`, `@` without spaces. */
const TOKEN = /[\p{L}\p{N}_]+(?:[.\-/:#@]+[\p{L}\p{N}_]+)*/gu;
const PART_SEPARATOR = /[.\-/:#@_]+/;
const CAMEL_BOUNDARY = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
/** A plain word (no separators, no inner capitals): the common case, which skips the splitting. */
const PLAIN_WORD = /^[\p{L}\p{N}][\p{Ll}\p{N}]*$/u;
/** Tokens longer than this are noise (hashes, base64), not words anyone searches for. */
const MAX_TOKEN_LENGTH = 64;
/** Memo of word → term (undefined: stop-word); bounded so an adversarial corpus cannot grow it forever. */
const NORMALISED = new Map<string, string | undefined>();
const NORMALISED_MAX = 200_000;
const COMPOUNDS = new Map<string, readonly string[]>();

export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will ' +
    'with would you your yours yourself yourselves'
  ).split(' '),
);

/** Harman's S-stemmer (plus Porter's sibilant rule): folds regular plurals only. */
export function stemPlural(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) return `${word.slice(0, -3)}y`;
  // Porter's step 1a for sibilants, so `classes`/`class` and `matches`/`match` meet.
  if (/(?:sses|ches|shes|xes|zzes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('es') && !word.endsWith('aes') && !word.endsWith('ees') && !word.endsWith('oes')) return word.slice(0, -1);
  if (word.endsWith('s') && !word.endsWith('us') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function normaliseWord(word: string): string | undefined {
  if (NORMALISED.has(word)) return NORMALISED.get(word);
  const term = normaliseUncached(word);
  if (NORMALISED.size >= NORMALISED_MAX) NORMALISED.clear();
  NORMALISED.set(word, term);
  return term;
}

function normaliseUncached(word: string): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length === 0 || lower.length > MAX_TOKEN_LENGTH || ENGLISH_STOP_WORDS.has(lower)) return undefined;
  return stemPlural(lower);
}

/** Index terms of a text, in order, with repeats (term frequency counts them). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.match(TOKEN) ?? []) {
    if (PLAIN_WORD.test(raw)) {
      const w = normaliseWord(raw);
      if (w !== undefined) out.push(w);
      continue;
    }
    for (const term of expandCompound(raw)) out.push(term);
  }
  return out;
}

/** Terms of a token with separators or inner capitals (memoised like words: identifiers repeat). */
function expandCompound(raw: string): readonly string[] {
  const cached = COMPOUNDS.get(raw);
  if (cached) return cached;
  const out: string[] = [];
  const parts = raw.split(PART_SEPARATOR).filter((p) => p.length > 0);
  if (parts.length === 1 && parts[0] !== undefined && parts[0].split(CAMEL_BOUNDARY).length === 1) {
    // Not compound after all (`HTTP`, `Élan`): a plain word.
    const w = normaliseWord(parts[0]);
    if (w !== undefined) out.push(w);
    COMPOUNDS.set(raw, out);
    return out;
  }
  const whole = raw.toLowerCase();
  if (whole.length <= MAX_TOKEN_LENGTH) out.push(whole);
  for (const part of parts) {
    const pieces = part.split(CAMEL_BOUNDARY);
    // A single part is the whole token again (e.g. `readFile`): only its camel pieces are new.
    const terms = parts.length > 1 ? [part, ...(pieces.length > 1 ? pieces : [])] : pieces;
    for (const term of terms) {
      const w = normaliseWord(term);
      if (w !== undefined) out.push(w);
    }
  }
  if (COMPOUNDS.size >= NORMALISED_MAX) COMPOUNDS.clear();
  COMPOUNDS.set(raw, out);
  return out;
}

/** Distinct query terms (a repeated query word does not count twice). */
export function queryTerms(text: string): string[] {
  return [...new Set(tokenize(text))];
}
