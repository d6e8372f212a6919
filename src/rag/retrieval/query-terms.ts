/**
 * Lexical helpers shared by extractive answers, lexical graders and query-feature extraction: the
 * content terms of a text (lower-cased, stop words dropped, a light suffix stemmer so "streams"
 * matches "stream") and how much of a query a passage covers. Deliberately simple and
 * deterministic: they back the offline paths, where no model is available to judge relevance.
 */

const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my of on or our so than that the their them then there these they this those to too was we were what when where ' +
    'which while who whom why will with would you your about after again all also am any because before between both each ' +
    'few further here just more most no nor not now only other out over own same should some such through under until up ' +
    'very vs via off once tell show use used using want need way ways get gets please'
  ).split(' '),
);

/** Splits on anything that is not a letter, digit or underscore; `fs.readFile` gives `fs`, `readfile`. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((t) => t.length > 0);
}

/** A light stemmer: enough to match plural and -ing/-ed forms, never aggressive enough to merge identifiers. */
export function stem(term: string): string {
  if (term.length <= 4 || /\d/.test(term)) return term;
  if (term.endsWith('ies')) return `${term.slice(0, -3)}y`;
  if (term.endsWith('sses')) return term.slice(0, -2);
  if (term.endsWith('ing') && term.length > 6) return term.slice(0, -3);
  if (term.endsWith('ed') && term.length > 5) return term.slice(0, -2);
  if (term.endsWith('es') && /(ch|sh|x|z)es$/.test(term)) return term.slice(0, -2);
  if (term.endsWith('s') && !term.endsWith('ss') && !term.endsWith('us')) return term.slice(0, -1);
  return term;
}

/** The distinct stemmed content terms of a text, in first-seen order. */
export function contentTerms(text: string): string[] {
  const seen = new Set<string>();
  for (const token of tokenize(text)) {
    if (STOP_WORDS.has(token)) continue;
    seen.add(stem(token));
  }
  return [...seen];
}

/** Fraction of the query's content terms that occur in the passage, in [0, 1]; 0 for a query with none. */
export function termCoverage(queryTerms: readonly string[], passage: string): number {
  if (queryTerms.length === 0) return 0;
  const passageTerms = new Set(contentTerms(passage));
  let found = 0;
  for (const term of queryTerms) if (passageTerms.has(term)) found++;
  return found / queryTerms.length;
}
