/** What callers can say about how a source is turned into documents. */
import type { Metadata } from '../types.js';
import type { DocumentType } from './document-type.js';

export interface JsonLoadOptions {
  /**
   * Fields whose values make up the document text, joined by a blank line (dot paths reach into
   * nested objects). Default: the first of `text`, `content`, `body`, `page_content` that is present,
   * else every top-level string field as `field: value` lines.
   */
  textFields?: readonly string[];
  /** Field holding each record's id; records of a file then get `${fileId}:${value}`. Default `id` when present. */
  idField?: string;
}

export interface CsvLoadOptions {
  /** `row` (default): one document per row; `file`: one document for the whole table. */
  mode?: 'row' | 'file';
  /** Columns joined into the text of a row; default: every column, as `column: value` lines. */
  textColumns?: readonly string[];
  /** Column holding each row's id (row mode); default: the 1-based row number. */
  idColumn?: string;
  /** Field delimiter; default `,` (or a tab for `.tsv` and `text/tab-separated-values`). */
  delimiter?: string;
}

export interface LoadOptions {
  /**
   * The document id (stable, so re-ingesting replaces). For sources that yield several documents
   * (CSV rows, JSON arrays, JSONL lines) it is the prefix: `${id}:${recordId}`.
   */
  id?: string;
  /** Skip detection from MIME type or extension. */
  type?: DocumentType;
  /** Merged into every document's metadata (after the loader's own keys, so the caller wins). */
  metadata?: Metadata;
  json?: JsonLoadOptions;
  csv?: CsvLoadOptions;
}

export interface DirectoryLoadOptions extends Omit<LoadOptions, 'id'> {
  /** Glob patterns relative to the directory; default every supported extension, recursively. */
  patterns?: readonly string[];
  /** Glob patterns to leave out (node_modules and dot-folders are always left out). */
  ignore?: readonly string[];
  /**
   * Called for a matched file that is empty or of an unsupported type, which is then skipped.
   * Without it such a file fails the whole load (and nothing is ingested).
   */
  onSkip?: (path: string, error: Error) => void;
  /** Most files read and parsed at once (default 4). */
  concurrency?: number;
}

export interface BufferLoadOptions extends LoadOptions {
  /** Original file name (upload): gives the type by extension and the default id. */
  filename?: string;
  /** Content type (upload): preferred over the extension when it names a supported type. */
  mimeType?: string;
}
