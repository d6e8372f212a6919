/**
 * CSV (and TSV) through `csv-parse`, the maintained parser of the node-csv project (quoted fields,
 * embedded newlines, BOMs). The header row names the columns. Row mode: each row is a document whose
 * text is its text columns and whose other columns are metadata (numbers as numbers, for range
 * filters). File mode: the whole table is one document, one `column: value` block per row.
 */
import { parse } from 'csv-parse/sync';
import { ConduitError } from '../../core/errors.js';
import type { Metadata, RagDocument } from '../types.js';
import { decodeText, makeDocument, type SourceContext } from './source-context.js';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function loadCsvContent(data: Uint8Array | string, ctx: SourceContext, tabSeparated: boolean): RagDocument[] {
  const raw = typeof data === 'string' ? data : decodeText(data);
  const options = ctx.options.csv ?? {};
  let rows: Record<string, string>[];
  try {
    rows = parse(raw, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      delimiter: options.delimiter ?? (tabSeparated ? '\t' : ','),
    }) as Record<string, string>[];
  } catch (err) {
    throw new ConduitError('invalid_request', `The file '${ctx.id}' is not valid CSV: ${(err as Error).message}`, { code: 'invalid_csv', cause: err });
  }
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  for (const column of [...(options.textColumns ?? []), ...(options.idColumn ? [options.idColumn] : [])]) {
    if (rows.length > 0 && !columns.includes(column)) {
      throw new ConduitError('invalid_request', `The CSV '${ctx.id}' has no column '${column}' (columns: ${columns.join(', ')})`, { code: 'unknown_column', param: 'csv' });
    }
  }
  const textColumns = options.textColumns ?? columns;
  const rowText = (row: Record<string, string>): string =>
    options.textColumns
      ? textColumns.map((c) => row[c] ?? '').filter((v) => v.length > 0).join('\n\n')
      : textColumns.filter((c) => (row[c] ?? '').length > 0).map((c) => `${c}: ${row[c] ?? ''}`).join('\n');

  if (options.mode === 'file') {
    const text = rows.map(rowText).filter((t) => t.length > 0).join('\n\n');
    return [makeDocument(ctx, ctx.id, text, { format: 'text', rows: rows.length, columns })];
  }
  const seen = new Set<string>();
  return rows.map((row, i) => {
    const key = (options.idColumn ? row[options.idColumn] : undefined) || String(i + 1);
    const id = `${ctx.id}:${key}`;
    if (seen.has(id)) throw new ConduitError('invalid_request', `Two rows of '${ctx.id}' have the id '${id}'`, { code: 'duplicate_document_id' });
    seen.add(id);
    const metadata: Metadata = { format: 'text', row: i + 1 };
    for (const column of columns) {
      if (options.textColumns?.includes(column) || column === options.idColumn) continue;
      const value = row[column] ?? '';
      metadata[column] = NUMBER.test(value) ? Number(value) : value;
    }
    return makeDocument(ctx, id, rowText(row), metadata);
  });
}
