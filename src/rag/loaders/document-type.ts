/**
 * Which loader handles a source: decided from the caller's explicit type, else the MIME type
 * (uploads), else the file extension. Anything else is refused up front with a typed error, so an
 * unsupported upload changes nothing.
 */
import { extname } from 'node:path';
import { ConduitError } from '../../core/errors.js';

export const DOCUMENT_TYPES = ['text', 'markdown', 'html', 'pdf', 'json', 'jsonl', 'csv'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

const TYPE_BY_EXTENSION: Readonly<Record<string, DocumentType>> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
  '.tsv': 'csv',
};

const TYPE_BY_MIME: Readonly<Record<string, DocumentType>> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/json': 'json',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/jsonlines': 'jsonl',
  'application/x-ndjson': 'jsonl',
  'application/ndjson': 'jsonl',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'csv',
};

/** The extensions the directory loader picks up by default (`**\/*.{txt,md,…}`). */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(TYPE_BY_EXTENSION).map((e) => e.slice(1));

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

export function documentTypeOfPath(path: string): DocumentType | undefined {
  return TYPE_BY_EXTENSION[extname(path).toLowerCase()];
}

/** `text/markdown; charset=utf-8` → `markdown`; generic types (`application/octet-stream`) → undefined. */
export function documentTypeOfMime(mimeType: string): DocumentType | undefined {
  const essence = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  return TYPE_BY_MIME[essence];
}

/** Resolves the type or throws ConduitError('invalid_request', code 'unsupported_file_type'). */
export function resolveDocumentType(hints: { type?: string; mimeType?: string; filename?: string }): DocumentType {
  if (hints.type !== undefined) {
    if (isDocumentType(hints.type)) return hints.type;
    throw unsupported(`Unsupported document type '${hints.type}' (supported: ${DOCUMENT_TYPES.join(', ')})`);
  }
  const byMime = hints.mimeType === undefined ? undefined : documentTypeOfMime(hints.mimeType);
  if (byMime) return byMime;
  const byName = hints.filename === undefined ? undefined : documentTypeOfPath(hints.filename);
  if (byName) return byName;
  const what = [hints.filename && `file '${hints.filename}'`, hints.mimeType && `MIME type '${hints.mimeType}'`].filter(Boolean).join(' with ');
  throw unsupported(
    `Unsupported file type${what ? ` for ${what}` : ''}: supported extensions are ${SUPPORTED_EXTENSIONS.map((e) => `.${e}`).join(', ')}`,
  );
}

function unsupported(message: string): ConduitError {
  return new ConduitError('invalid_request', message, { code: 'unsupported_file_type', param: 'file' });
}

/** TSV is CSV with tabs: the extension or MIME type picks the delimiter when the caller gives none. */
export function isTabSeparated(hints: { mimeType?: string; filename?: string }): boolean {
  if (hints.mimeType?.split(';')[0]?.trim().toLowerCase() === 'text/tab-separated-values') return true;
  return hints.filename !== undefined && extname(hints.filename).toLowerCase() === '.tsv';
}
