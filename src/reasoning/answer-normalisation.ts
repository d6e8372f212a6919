/**
 * Answer normalisation for voting and comparison: two samples that say "$1,104.94" and "1104.94",
 * or "Paris." and "paris", are the same answer and must land in the same bucket.
 *
 * Rules, in order:
 * 1. Unicode NFKC, markdown emphasis/code marks and wrapping quotes removed, lower-cased.
 * 2. Numbers canonicalised: thousands separators dropped ("1,104.94" → "1104.94"), a leading "+"
 *    and redundant zeros dropped ("1104.940" → "1104.94", "007" → "7", "-0" → "0").
 * 3. Currency symbols ($ € £ ¥) dropped; an answer that is only a number with a currency code or
 *    word ("1104.94 USD", "USD 1104.94", "1104.94 dollars") becomes the bare number.
 * 4. Punctuation other than what numbers need (".", "-", "%" and "/" inside numbers) becomes a
 *    space; whitespace collapsed; trailing sentence dots dropped.
 * Percent stays distinct from a fraction ("5%" ≠ "0.05"): deciding that they mean the same is a
 * judgement about the question, not about notation.
 */

const CURRENCY_SYMBOLS = /[$€£¥₹]/g;
const CURRENCY_WORDS = '(?:usd|eur|gbp|jpy|dollars?|euros?|pounds?)';
const ONLY_NUMBER_WITH_CURRENCY = new RegExp(`^(?:${CURRENCY_WORDS}\\s*)?(-?\\d+(?:\\.\\d+)?)(?:\\s*${CURRENCY_WORDS})?$`);
/** A number with optional thousands separators, not glued to letters on the left. */
const NUMBER = /(?<![\p{L}\d.])([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])/gu;

export function normalizeAnswer(answer: string): string {
  let text = answer.normalize('NFKC').trim();
  text = text.replace(/[*_`]+/g, '').replace(/^["'“”‘’«»]+|["'“”‘’«»]+$/g, '');
  text = text.toLowerCase();
  text = text.replace(CURRENCY_SYMBOLS, '');
  text = text.replace(NUMBER, (_m, sign: string, integer: string, fraction: string | undefined) => canonicalNumber(sign, integer, fraction));
  // Punctuation to spaces, except "." "-" "%" "/" which numbers and ratios use.
  text = text.replace(/[^\p{L}\p{N}\s.%/-]/gu, ' ');
  // Dots that are not decimal points (sentence ends, abbreviations' trailing dot) go.
  text = text.replace(/\.(?!\d)/g, ' ');
  text = text.replace(/\s+/g, ' ').trim();
  const bare = ONLY_NUMBER_WITH_CURRENCY.exec(text);
  if (bare?.[1] !== undefined) return bare[1];
  return text;
}

function canonicalNumber(sign: string, integer: string, fraction: string | undefined): string {
  let intPart = integer.replace(/,/g, '').replace(/^0+(?=\d)/, '');
  let fracPart = (fraction ?? '').replace(/0+$/, '');
  if (fracPart === '.') fracPart = '';
  if (intPart === '') intPart = '0';
  const isZero = /^0+$/.test(intPart) && fracPart === '';
  return `${sign === '-' && !isZero ? '-' : ''}${intPart}${fracPart}`;
}

/** Parses a number out of an answer when the whole answer is one ("$1,104.94" → 1104.94), else undefined. */
export function numericValue(answer: string): number | undefined {
  const normalized = normalizeAnswer(answer);
  if (!/^-?\d+(?:\.\d+)?$/.test(normalized)) return undefined;
  return Number(normalized);
}
