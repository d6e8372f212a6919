/**
 * What every format loader needs to know about where its bytes came from, and the helpers they
 * share: text decoding, the empty-document check, and the document factory that merges metadata.
 */
import { ConduitError } from '../../core/errors.js';
import type { Metadata, RagDocument } from '../types.js';
import type { DocumentType } from './document-type.js';
import type { LoadOptions } from './load-options.js';

export interface SourceContext {
  /** Document id (or id prefix for multi-record sources). */
  id: string;
  type: DocumentType;
  /** Where it came from: the path as given, the upload's file name, or `string`. */
  source: string;
  /** File modification time, when the source is a file. */
  mtime?: Date;
  bytes: number;
  options: LoadOptions;
}

const utf8 = new TextDecoder('utf-8');

/** UTF-8 with the BOM dropped and line endings normalised to `\n`, so offsets mean the same everywhere. */
export function decodeText(data: Uint8Array): string {
  return normaliseNewlines(utf8.decode(data));
}

export function normaliseNewlines(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withoutBom.replace(/\r\n?/g, '\n');
}

export function emptyDocumentError(what: string): ConduitError {
  return new ConduitError('invalid_request', `The document ${what} has no text to index`, { code: 'empty_document' });
}

/** Builds a document; the loader's own metadata first, then the caller's, which wins on clashes. */
export function makeDocument(ctx: SourceContext, id: string, text: string, metadata: Metadata): RagDocument {
  if (text.trim().length === 0) throw emptyDocumentError(`'${id}'`);
  const base: Metadata = { source: ctx.source, type: ctx.type, bytes: ctx.bytes };
  if (ctx.mtime) base.mtime = ctx.mtime.toISOString();
  return { id, text, metadata: { ...base, ...metadata, ...ctx.options.metadata } };
}
