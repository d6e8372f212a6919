/**
 * tsvector / tsquery literals built from Conduit's tokeniser, so PostgreSQL indexes the same terms
 * as the embedded adapter. The tokeniser only emits letters, digits and `_ . - / : # @`, none of
 * which need escaping inside a quoted lexeme; quotes and backslashes are escaped anyway.
 */
import { queryTerms, tokenize } from '../keyword/tokenizer.js';

/** PostgreSQL keeps at most 256 positions per lexeme and none past 16,383. */
const MAX_POSITIONS = 256;
const MAX_POSITION = 16_383;

function quoteLexeme(term: string): string {
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The tsvector literal of a text (term → positions) and its token count (BM25's document length). */
export function tsvectorOf(text: string): { literal: string; tokenCount: number } {
  const tokens = tokenize(text);
  const positions = new Map<string, number[]>();
  tokens.forEach((t, i) => {
    let list = positions.get(t);
    if (!list) {
      list = [];
      positions.set(t, list);
    }
    if (list.length < MAX_POSITIONS) list.push(Math.min(i + 1, MAX_POSITION));
  });
  const parts: string[] = [];
  for (const [term, list] of positions) parts.push(`${quoteLexeme(term)}:${[...new Set(list)].join(',')}`);
  return { literal: parts.join(' '), tokenCount: tokens.length };
}

/** The distinct query terms and an OR tsquery over them (undefined when nothing is searchable). */
export function tsqueryOf(text: string): { terms: string[]; literal: string } | undefined {
  const terms = queryTerms(text);
  if (terms.length === 0) return undefined;
  return { terms, literal: terms.map(quoteLexeme).join(' | ') };
}

/** One term as a tsquery literal (document frequency lookups). */
export function termQuery(term: string): string {
  return quoteLexeme(term);
}
