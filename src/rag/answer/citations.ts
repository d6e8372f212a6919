/**
 * Citation parsing and validation. The model cites passages as `[1]`, `[1, 3]`, `[2-4]` or `[1][2]`;
 * every number is checked against the context it was given. Numbers outside it are fabricated
 * references: they are removed from the answer text (a group keeps its valid numbers) and reported
 * in `dropped`, so a caller can log or score them. Valid citations map to the real chunk ids.
 */
import type { Citation, RetrievedChunk } from '../types.js';

export interface ParsedCitations {
  /** The answer with invalid citation numbers removed. */
  text: string;
  /** Valid citations, one per number, in order of first appearance. */
  citations: Citation[];
  /** Cited numbers that point at no passage, in order of first appearance. */
  dropped: number[];
}

const CITATION_GROUP = /\s?\[(\d+(?:\s*(?:[,;]|-|–)\s*\d+)*)\]/g;
const MAX_RANGE = 50;

export function parseCitations(text: string, sources: readonly RetrievedChunk[]): ParsedCitations {
  const citations: Citation[] = [];
  const cited = new Set<number>();
  const dropped: number[] = [];
  const cleaned = text.replace(CITATION_GROUP, (match, group: string) => {
    const numbers = expandGroup(group);
    const valid = numbers.filter((n) => n >= 1 && n <= sources.length);
    for (const n of numbers) {
      if (valid.includes(n)) {
        if (cited.has(n)) continue;
        cited.add(n);
        const source = sources[n - 1];
        if (source) citations.push({ number: n, chunkId: source.chunk.id, documentId: source.chunk.documentId });
      } else if (!dropped.includes(n)) dropped.push(n);
    }
    if (valid.length === numbers.length) return match;
    const leading = match.startsWith(' ') ? ' ' : '';
    return valid.length === 0 ? '' : `${leading}[${[...new Set(valid)].join(', ')}]`;
  });
  return { text: dropped.length > 0 ? tidy(cleaned) : cleaned, citations, dropped };
}

function expandGroup(group: string): number[] {
  const out: number[] = [];
  for (const part of group.split(/[,;]/)) {
    const range = part.split(/-|–/).map((p) => Number.parseInt(p.trim(), 10));
    const [from, to] = range;
    if (from === undefined || Number.isNaN(from)) continue;
    if (to !== undefined && !Number.isNaN(to) && to >= from && to - from <= MAX_RANGE) {
      for (let n = from; n <= to; n++) out.push(n);
    } else out.push(from);
  }
  return out;
}

/** Removing a citation can leave "word ." or double spaces behind. */
function tidy(text: string): string {
  return text.replace(/[ \t]+([.,;:!?])/g, '$1').replace(/[ \t]{2,}/g, ' ');
}
