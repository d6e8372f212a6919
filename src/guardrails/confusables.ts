/**
 * Letters that look like Latin letters, folded to the Latin letter they imitate. This is the small,
 * hand-picked subset of Unicode's confusables (UTS #39) that matters for evading English keyword
 * rules: Cyrillic, Greek, Armenian, Cherokee-free. Fullwidth forms and mathematical alphanumerics
 * (𝐢𝐠𝐧𝐨𝐫𝐞, ｉｇｎｏｒｅ) are not listed: NFKD already maps them to ASCII before this table is read.
 *
 * Capitals are listed separately because some capitals imitate a different letter than their
 * lowercase does (Greek Η looks like H, its lowercase η like n).
 */
const PAIRS: readonly (readonly [string, string])[] = [
  // Cyrillic lowercase
  ['а', 'a'], ['в', 'b'], ['е', 'e'], ['ё', 'e'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['у', 'y'], ['х', 'x'],
  ['і', 'i'], ['ї', 'i'], ['ј', 'j'], ['ѕ', 's'], ['ԁ', 'd'], ['һ', 'h'], ['ԛ', 'q'], ['ԝ', 'w'], ['ӏ', 'l'],
  ['к', 'k'], ['м', 'm'], ['н', 'h'], ['т', 't'], ['п', 'n'], ['г', 'r'], ['ь', 'b'], ['ɡ', 'g'],
  // Cyrillic capitals
  ['А', 'a'], ['В', 'b'], ['Е', 'e'], ['Ё', 'e'], ['К', 'k'], ['М', 'm'], ['Н', 'h'], ['О', 'o'], ['Р', 'p'],
  ['С', 'c'], ['Т', 't'], ['Х', 'x'], ['У', 'y'], ['Ѕ', 's'], ['І', 'i'], ['Ї', 'i'], ['Ј', 'j'], ['Ӏ', 'l'],
  ['Ԁ', 'd'], ['Ԛ', 'q'], ['Ԝ', 'w'],
  // Greek lowercase
  ['α', 'a'], ['β', 'b'], ['ε', 'e'], ['ι', 'i'], ['κ', 'k'], ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'], ['τ', 't'],
  ['υ', 'u'], ['χ', 'x'], ['γ', 'y'], ['η', 'n'], ['ω', 'w'], ['ς', 's'], ['σ', 'o'],
  // Greek capitals
  ['Α', 'a'], ['Β', 'b'], ['Ε', 'e'], ['Ζ', 'z'], ['Η', 'h'], ['Ι', 'i'], ['Κ', 'k'], ['Μ', 'm'], ['Ν', 'n'],
  ['Ο', 'o'], ['Ρ', 'p'], ['Τ', 't'], ['Υ', 'y'], ['Χ', 'x'],
  // Armenian and Latin look-alikes
  ['օ', 'o'], ['ս', 'u'], ['ց', 'g'], ['ı', 'i'], ['ȷ', 'j'], ['ɩ', 'i'], ['ʟ', 'l'], ['ɑ', 'a'], ['ǀ', 'l'],
  ['ꓲ', 'i'], ['ℓ', 'l'],
];

export const CONFUSABLES: ReadonlyMap<number, string> = new Map(PAIRS.map(([from, to]) => [from.codePointAt(0) ?? 0, to]));
