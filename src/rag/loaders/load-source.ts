/**
 * Entry points: a file, a directory (glob patterns), a string, or an in-memory buffer (an HTTP
 * upload). Each picks the format loader and builds the stable document id:
 *
 * - a directory's files: their path relative to the directory, with `/` separators (`guides/intro.md`);
 * - a single file: its base name (the same id it gets when its folder is loaded), unless `id` is given;
 * - a buffer: `id`, else its file name; a string: `id`, else `text-<sha256 prefix>` of its content.
 *
 * Ids never contain `#` (chunk ids are `${documentId}#${n}`), so one is refused.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { ConduitError } from '../../core/errors.js';
import type { RagDocument } from '../types.js';
import { loadCsvContent } from './csv-loader.js';
import { isTabSeparated, resolveDocumentType, SUPPORTED_EXTENSIONS, type DocumentType } from './document-type.js';
import { loadHtmlContent } from './html-loader.js';
import { loadJsonContent, loadJsonlContent } from './json-loader.js';
import type { BufferLoadOptions, DirectoryLoadOptions, LoadOptions } from './load-options.js';
import { loadMarkdownContent } from './markdown-loader.js';
import { loadPdfContent } from './pdf-loader.js';
import type { SourceContext } from './source-context.js';
import { loadTextContent } from './text-loader.js';

const DEFAULT_PATTERNS = [`**/*.{${SUPPORTED_EXTENSIONS.join(',')}}`];
const ALWAYS_IGNORED = ['**/node_modules/**', '**/.*/**'];
const DEFAULT_CONCURRENCY = 4;

/** Where documents come from; a bare string is a path (file or directory). */
export type LoadSource =
  | string
  | { path: string; options?: DirectoryLoadOptions & { id?: string } }
  | { text: string; options?: LoadOptions }
  | { data: Uint8Array; options?: BufferLoadOptions };

export async function loadSource(source: LoadSource, options: DirectoryLoadOptions & { id?: string } = {}): Promise<RagDocument[]> {
  if (typeof source === 'string') return loadPath(source, options);
  if ('path' in source) return loadPath(source.path, { ...options, ...source.options });
  if ('text' in source) return loadString(source.text, { ...options, ...source.options });
  return loadBuffer(source.data, { ...options, ...source.options });
}

/** A file or a directory, whichever the path is; a missing path is ConduitError('not_found', 'source_not_found'). */
export async function loadPath(path: string, options: DirectoryLoadOptions & { id?: string } = {}): Promise<RagDocument[]> {
  const info = await statOrThrow(path);
  return info.isDirectory() ? loadDirectory(path, options) : loadFile(path, options);
}

export async function loadFile(path: string, options: LoadOptions = {}): Promise<RagDocument[]> {
  const info = await statOrThrow(path);
  const type = resolveDocumentType({ type: options.type, filename: path });
  const data = await readFile(path);
  const ctx: SourceContext = { id: checkId(options.id ?? basename(path)), type, source: path, mtime: info.mtime, bytes: data.byteLength, options };
  return parseContent(data, ctx, isTabSeparated({ filename: path }));
}

export async function loadDirectory(dir: string, options: DirectoryLoadOptions = {}): Promise<RagDocument[]> {
  const root = resolve(dir);
  const info = await statOrThrow(root);
  if (!info.isDirectory()) throw new ConduitError('invalid_request', `'${dir}' is not a directory`, { code: 'not_a_directory' });
  const files = (
    await glob([...(options.patterns ?? DEFAULT_PATTERNS)], {
      cwd: root,
      ignore: [...ALWAYS_IGNORED, ...(options.ignore ?? [])],
      onlyFiles: true,
      dot: false,
      followSymbolicLinks: false,
      expandDirectories: false,
    })
  ).sort();
  const results: RagDocument[][] = new Array<RagDocument[]>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const file = files[i] ?? '';
      const id = relative(root, resolve(root, file)).split(sep).join('/');
      try {
        // The path as the caller named it (`docs/guide.md`), not an absolute one: it ends up in metadata shown to clients.
        results[i] = await loadFile(join(dir, file), { ...options, id });
      } catch (err) {
        const skippable = err instanceof ConduitError && (err.code === 'empty_document' || err.code === 'unsupported_file_type');
        if (!skippable || !options.onSkip) throw err;
        options.onSkip(file, err);
        results[i] = [];
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, files.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results.flat();
}

/** Text given directly (`type` defaults to plain text). */
export async function loadString(text: string, options: LoadOptions = {}): Promise<RagDocument[]> {
  const id = checkId(options.id ?? `text-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  const type = options.type ?? 'text';
  const ctx: SourceContext = { id, type, source: 'string', bytes: Buffer.byteLength(text), options };
  return parseContent(type === 'pdf' ? Buffer.from(text, 'latin1') : text, ctx, false);
}

/** An upload: the type from `mimeType` (when specific) or `filename`'s extension, or `type`. */
export async function loadBuffer(data: Uint8Array, options: BufferLoadOptions = {}): Promise<RagDocument[]> {
  const type = resolveDocumentType({ type: options.type, mimeType: options.mimeType, filename: options.filename });
  const fallbackId = options.filename ? basename(options.filename) : `upload-${createHash('sha256').update(data).digest('hex').slice(0, 16)}`;
  const ctx: SourceContext = { id: checkId(options.id ?? fallbackId), type, source: options.filename ?? 'upload', bytes: data.byteLength, options };
  return parseContent(data, ctx, isTabSeparated(options));
}

async function parseContent(data: Uint8Array | string, ctx: SourceContext, tabSeparated: boolean): Promise<RagDocument[]> {
  const loaders: Record<DocumentType, () => RagDocument[] | Promise<RagDocument[]>> = {
    text: () => loadTextContent(data, ctx),
    markdown: () => loadMarkdownContent(data, ctx),
    html: () => loadHtmlContent(data, ctx),
    pdf: () => loadPdfContent(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, ctx),
    json: () => loadJsonContent(data, ctx),
    jsonl: () => loadJsonlContent(data, ctx),
    csv: () => loadCsvContent(data, ctx, tabSeparated || ctx.options.csv?.delimiter === '\t'),
  };
  return loaders[ctx.type]();
}

function checkId(id: string): string {
  if (id.length === 0 || id.includes('#')) {
    throw new ConduitError('invalid_request', `Invalid document id '${id}': it must be non-empty and contain no '#'`, { code: 'invalid_document_id', param: 'id' });
  }
  return id;
}

async function statOrThrow(path: string): Promise<Awaited<ReturnType<typeof stat>>> {
  try {
    return await stat(path);
  } catch (err) {
    throw new ConduitError('not_found', `No such file or directory: '${path}'`, { code: 'source_not_found', cause: err });
  }
}
