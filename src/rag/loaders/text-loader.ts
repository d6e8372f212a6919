/** Plain text: the whole file is one document, titled by its first non-empty line. */
import type { RagDocument } from '../types.js';
import { decodeText, makeDocument, type SourceContext } from './source-context.js';

const MAX_TITLE_CHARS = 120;

export function loadTextContent(data: Uint8Array | string, ctx: SourceContext): RagDocument[] {
  const text = typeof data === 'string' ? data : decodeText(data);
  const firstLine = text.split('\n').find((line) => line.trim().length > 0)?.trim() ?? '';
  return [makeDocument(ctx, ctx.id, text, { format: 'text', title: firstLine.slice(0, MAX_TITLE_CHARS) })];
}
