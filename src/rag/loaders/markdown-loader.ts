/**
 * Markdown stays Markdown: the structure-aware chunker reads its headings (and keeps code blocks
 * whole), so the loader only lifts YAML front matter into metadata and finds a title.
 */
import { parse as parseYaml } from 'yaml';
import type { Metadata, MetadataValue, RagDocument } from '../types.js';
import { decodeText, makeDocument, type SourceContext } from './source-context.js';

const FRONT_MATTER = /^---\n([\s\S]*?)\n(?:---|\.\.\.)\n?/;

export function loadMarkdownContent(data: Uint8Array | string, ctx: SourceContext): RagDocument[] {
  let text = typeof data === 'string' ? data : decodeText(data);
  const metadata: Metadata = { format: 'markdown' };
  const frontMatter = FRONT_MATTER.exec(text);
  if (frontMatter) {
    Object.assign(metadata, frontMatterMetadata(frontMatter[1] ?? ''));
    text = text.slice(frontMatter[0].length);
  }
  if (typeof metadata.title !== 'string') {
    const heading = firstHeading(text);
    if (heading) metadata.title = heading;
  }
  return [makeDocument(ctx, ctx.id, text, metadata)];
}

/** Scalar (and scalar-array) front-matter keys become metadata; invalid YAML is left as text's problem, not an error. */
function frontMatterMetadata(yamlText: string): Metadata {
  let parsed: unknown;
  try {
    parsed = parseYaml(yamlText);
  } catch {
    return {};
  }
  const out: Metadata = {};
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const scalar = toMetadataValue(value);
    if (scalar !== undefined) out[key] = scalar;
  }
  return out;
}

export function toMetadataValue(value: unknown): MetadataValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
    return value as (string | number | boolean)[];
  }
  return undefined;
}

/** The first ATX heading outside fenced code, without its `#` marks. */
function firstHeading(text: string): string | undefined {
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1]) {
      const marker = fenceMatch[1];
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading?.[1]) return heading[1];
  }
  return undefined;
}
