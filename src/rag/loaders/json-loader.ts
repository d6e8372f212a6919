/**
 * JSON and JSONL: each record (array element, line, or the single top-level object) becomes a
 * document. Its text comes from the configured text field(s); every other field becomes metadata
 * (nested objects flattened to dot paths) so it can be filtered on.
 */
import { ConduitError } from '../../core/errors.js';
import type { Metadata, RagDocument } from '../types.js';
import type { JsonLoadOptions } from './load-options.js';
import { toMetadataValue } from './markdown-loader.js';
import { decodeText, makeDocument, type SourceContext } from './source-context.js';

const DEFAULT_TEXT_FIELDS = ['text', 'content', 'body', 'page_content'];

interface JsonRecord {
  /** The record's own id suffix, or undefined for a file holding one object. */
  key: string | undefined;
  value: unknown;
}

export function loadJsonContent(data: Uint8Array | string, ctx: SourceContext): RagDocument[] {
  const raw = typeof data === 'string' ? data : decodeText(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw invalidJson(`The file '${ctx.id}' is not valid JSON: ${(err as Error).message}`, err);
  }
  const records: JsonRecord[] = Array.isArray(parsed) ? parsed.map((value, i) => ({ key: String(i), value })) : [{ key: undefined, value: parsed }];
  return recordsToDocuments(records, ctx);
}

export function loadJsonlContent(data: Uint8Array | string, ctx: SourceContext): RagDocument[] {
  const raw = typeof data === 'string' ? data : decodeText(data);
  const records: JsonRecord[] = [];
  raw.split('\n').forEach((line, i) => {
    if (line.trim().length === 0) return;
    try {
      records.push({ key: String(i + 1), value: JSON.parse(line) });
    } catch (err) {
      throw invalidJson(`Line ${i + 1} of '${ctx.id}' is not valid JSON: ${(err as Error).message}`, err);
    }
  });
  return recordsToDocuments(records, ctx);
}

function recordsToDocuments(records: JsonRecord[], ctx: SourceContext): RagDocument[] {
  const options: JsonLoadOptions = ctx.options.json ?? {};
  const idField = options.idField ?? 'id';
  const seen = new Set<string>();
  const documents = records.map(({ key, value }) => {
    const fields = isObject(value) ? value : { text: value };
    // A file holding one object is one document with the file's id; records of an array or JSONL get their own.
    const ownId = key === undefined ? undefined : (toIdPart(fields[idField]) ?? key);
    const id = ownId === undefined ? ctx.id : `${ctx.id}:${ownId}`;
    if (seen.has(id)) throw new ConduitError('invalid_request', `Two records of '${ctx.id}' have the id '${id}'`, { code: 'duplicate_document_id' });
    seen.add(id);
    const defaultField = DEFAULT_TEXT_FIELDS.find((f) => getPath(fields, f) !== undefined);
    let textFields: readonly string[];
    let text: string;
    if (options.textFields || defaultField) {
      textFields = options.textFields ?? [defaultField ?? ''];
      text = textFields
        .map((f) => getPath(fields, f))
        .filter((v) => v !== undefined && v !== null)
        .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
        .join('\n\n');
    } else {
      // No configured or conventional text field: every top-level string field, labelled, as CSV rows are.
      textFields = Object.keys(fields).filter((k) => k !== idField && typeof fields[k] === 'string');
      text = textFields.map((k) => `${k}: ${String(fields[k])}`).join('\n');
    }
    const metadata: Metadata = {};
    flatten(fields, '', new Set([...textFields, idField]), metadata);
    if (key !== undefined) metadata.record = key;
    return makeDocument(ctx, id, text, metadata);
  });
  return documents;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function toIdPart(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function getPath(record: Record<string, unknown>, path: string): unknown {
  if (path === '') return undefined;
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** Scalars and scalar arrays keep their value; other arrays are kept as JSON text. */
function flatten(value: Record<string, unknown>, prefix: string, exclude: ReadonlySet<string>, out: Metadata): void {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key;
    if (exclude.has(path)) continue;
    if (isObject(v)) {
      flatten(v, `${path}.`, exclude, out);
      continue;
    }
    const scalar = toMetadataValue(v);
    if (scalar !== undefined) out[path] = scalar;
    else if (Array.isArray(v)) out[path] = JSON.stringify(v);
  }
}

function invalidJson(message: string, cause: unknown): ConduitError {
  return new ConduitError('invalid_request', message, { code: 'invalid_json', cause });
}
