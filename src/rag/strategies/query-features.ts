/**
 * Query features for adaptive strategy selection, computed without a model (cheap, deterministic):
 * technical identifiers (`fs.readFile`, `createServer()`, `--max-old-space-size`, `NODE_OPTIONS`,
 * `ERR_INVALID_ARG_TYPE`, camelCase, backticked code), signs of a multi-part question, follow-up
 * references to an earlier turn, and conceptual ("why", "explain", "overview") wording. The query
 * type is the first that applies of: follow-up, multi-part, identifier, conceptual, factual.
 */
import { looksLikeFollowUp, type ConversationTurn } from '../transform/conversational-rewrite.js';
import { contentTerms } from '../retrieval/query-terms.js';

export type QueryType = 'follow-up' | 'multi-part' | 'identifier' | 'conceptual' | 'factual';
export const QUERY_TYPES: readonly QueryType[] = ['follow-up', 'multi-part', 'identifier', 'conceptual', 'factual'];

export function isQueryType(value: string): value is QueryType {
  return (QUERY_TYPES as readonly string[]).includes(value);
}

export interface QueryFeatures {
  queryType: QueryType;
  identifiers: string[];
  contentTermCount: number;
  questionMarks: number;
  /** Several questions, a comparison, or clauses joined by "and then"/"and also". */
  multiPart: boolean;
  followUp: boolean;
  conceptual: boolean;
}

const IDENTIFIER_PATTERNS: readonly RegExp[] = [
  /`[^`]+`/g, // backticked code
  /(?<![\w-])--?[a-z][\w-]*[a-z0-9]/gi, // CLI flags
  /\b[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\))?/g, // dotted paths: fs.readFile, process.env.X
  /\b[A-Za-z_$][\w$]*\(\)/g, // calls: createServer()
  /\b[a-z]+(?:[A-Z][a-z0-9]+)+\b/g, // camelCase
  /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, // CONSTANTS, ERR_CODES
  /\b[a-z0-9]+(?:_[a-z0-9]+)+\b/g, // snake_case
  /\bE[A-Z]{3,}\b/g, // errno codes: ENOENT, EADDRINUSE
];

const CONCEPTUAL = /\b(why|explain|explanation|overview|concept|architecture|design|how does .+ work|what is the (purpose|role|idea)|best practices?|when should)\b/i;
const COMPARISON = /\b(compare|comparison|difference between|differences between|versus|vs\.?|pros and cons)\b/i;
const CHAINED = /\b(and then|and also|and how|and what|and which|and why|as well as)\b/i;

export function extractQueryFeatures(query: string, history: readonly ConversationTurn[] = []): QueryFeatures {
  const identifiers = findIdentifiers(query);
  const questionMarks = (query.match(/\?/g) ?? []).length;
  const terms = contentTerms(query);
  const multiPart = questionMarks >= 2 || COMPARISON.test(query) || (CHAINED.test(query) && terms.length >= 5);
  const followUp = history.length > 0 && looksLikeFollowUp(query);
  const conceptual = CONCEPTUAL.test(query);
  const queryType: QueryType = followUp ? 'follow-up' : multiPart ? 'multi-part' : identifiers.length > 0 ? 'identifier' : conceptual ? 'conceptual' : 'factual';
  return { queryType, identifiers, contentTermCount: terms.length, questionMarks, multiPart, followUp, conceptual };
}

function findIdentifiers(query: string): string[] {
  const found = new Set<string>();
  for (const pattern of IDENTIFIER_PATTERNS) {
    for (const match of query.matchAll(pattern)) {
      const text = match[0].trim();
      // "e.g" and "i.e" look like dotted paths.
      if (/^(e\.g|i\.e|etc)\.?$/i.test(text)) continue;
      found.add(text);
    }
  }
  return [...found];
}
