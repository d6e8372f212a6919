/** Reads a dataset: JSON Lines (one object per line) or one JSON array of objects. */
import { readFile } from 'node:fs/promises';
import { ConduitError } from '../../core/errors.js';
import type { DatasetRecord } from './task-types.js';

export interface LoadedSample {
  /** 1-based line (JSONL) or array index + 1 (JSON array), for reports. */
  line: number;
  record: DatasetRecord;
}

export async function readDatasetFile(path: string): Promise<LoadedSample[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConduitError('not_found', `Cannot read dataset '${path}': ${err instanceof Error ? err.message : String(err)}`, { code: 'dataset_not_found', cause: err });
  }
  return parseDataset(text, path);
}

export function parseDataset(text: string, source = 'dataset'): LoadedSample[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new ConduitError('invalid_request', `${source}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { code: 'invalid_dataset' });
    }
    if (!Array.isArray(parsed)) throw new ConduitError('invalid_request', `${source}: expected an array of objects`, { code: 'invalid_dataset' });
    return parsed.map((record, i) => ({ line: i + 1, record: objectAt(record, source, `item ${i + 1}`) }));
  }
  const out: LoadedSample[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new ConduitError('invalid_request', `${source}:${i + 1}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { code: 'invalid_dataset' });
    }
    out.push({ line: i + 1, record: objectAt(parsed, source, `line ${i + 1}`) });
  }
  return out;
}

function objectAt(value: unknown, source: string, where: string): DatasetRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConduitError('invalid_request', `${source}: ${where} is not a JSON object`, { code: 'invalid_dataset' });
  return value as DatasetRecord;
}

/** JSON Lines text for records (one per line, trailing newline). */
export function toJsonl(records: readonly unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length === 0 ? '' : '\n');
}
