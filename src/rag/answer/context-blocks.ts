/**
 * The numbered context handed to the model: one block per chunk, `[n]` being its citation number.
 * The budget is in characters (cheap, tokenizer-free); chunks that do not fit are left out entirely,
 * never cut mid-way, so a citation number always refers to a whole passage the model saw. The first
 * chunk is always included (cut to the budget if it alone is too long): an answer needs some context.
 */
import type { RetrievedChunk } from '../types.js';

export const DEFAULT_MAX_CONTEXT_CHARS = 12_000;

export interface ContextBlocks {
  /** The chunks that made it into the context, in citation-number order (number = index + 1). */
  sources: RetrievedChunk[];
  text: string;
}

export function buildContextBlocks(chunks: readonly RetrievedChunk[], maxChars: number = DEFAULT_MAX_CONTEXT_CHARS): ContextBlocks {
  const sources: RetrievedChunk[] = [];
  const blocks: string[] = [];
  let used = 0;
  const seen = new Set<string>();
  for (const hit of chunks) {
    if (seen.has(hit.chunk.id)) continue;
    const header = `[${sources.length + 1}] ${describeSource(hit)}`;
    let body = hit.chunk.text.trim();
    const size = header.length + body.length + 2;
    if (used + size > maxChars) {
      if (sources.length > 0) continue;
      body = body.slice(0, Math.max(0, maxChars - header.length - 2));
    }
    seen.add(hit.chunk.id);
    sources.push(hit);
    blocks.push(`${header}\n${body}`);
    used += header.length + body.length + 2;
  }
  return { sources, text: blocks.join('\n\n') };
}

function describeSource(hit: RetrievedChunk): string {
  const title = hit.chunk.metadata.title;
  const heading = hit.chunk.metadata.headingPath ?? hit.chunk.metadata.heading;
  const parts = [`document: ${hit.chunk.documentId}`];
  if (typeof title === 'string' && title !== '') parts.push(`title: ${title}`);
  if (typeof heading === 'string' && heading !== '') parts.push(`section: ${heading}`);
  else if (Array.isArray(heading) && heading.length > 0) parts.push(`section: ${heading.join(' > ')}`);
  return `(${parts.join('; ')})`;
}
