/**
 * The adaptive selector's feedback log persisted as an append-only JSONL file — the companion of
 * the embedded collection store, kept in the same directory (`<rag dir>/feedback.jsonl`), so
 * `conduit rag ask` and a restarted `conduit serve` learn from every score recorded before.
 *
 * Each record is one line appended (and flushed) before `record` resolves; the file is read once
 * at open. A torn last line (a crash mid-write) or any line that is not a valid entry is skipped
 * rather than failing the open. The newest `maxEntries` are kept in memory for selection; the file
 * itself is the full history.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createMemoryFeedbackLog, completeFeedbackEntry, DEFAULT_FEEDBACK_ENTRIES, type FeedbackEntry, type FeedbackLog } from './feedback-log.js';
import { isQueryType, type QueryType } from './query-features.js';

export const FEEDBACK_FILE_NAME = 'feedback.jsonl';

export interface JsonlFeedbackLogOptions {
  /** The JSONL file; created (with its directory) on the first record. */
  path: string;
  maxEntries?: number;
}

export async function openJsonlFeedbackLog(options: JsonlFeedbackLogOptions): Promise<FeedbackLog> {
  const memory = createMemoryFeedbackLog({ entries: await readEntries(options.path), maxEntries: options.maxEntries ?? DEFAULT_FEEDBACK_ENTRIES });
  let directoryReady = false;
  // Appends are chained so lines land in the order `record` was called.
  let tail: Promise<void> = Promise.resolve();
  return {
    async record(entry) {
      const complete = completeFeedbackEntry(entry);
      const write = tail.then(async () => {
        if (!directoryReady) {
          await mkdir(dirname(options.path), { recursive: true });
          directoryReady = true;
        }
        await appendFile(options.path, `${JSON.stringify(complete)}\n`, 'utf8');
        await memory.record(complete);
      });
      tail = write.catch(() => undefined);
      return write;
    },
    performance: (queryType: QueryType) => memory.performance(queryType),
    entries: () => memory.entries(),
  };
}

async function readEntries(path: string): Promise<FeedbackEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const entries: FeedbackEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseEntry(line);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}


function parseEntry(line: string): FeedbackEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const { query, queryType, strategy, score, at, outcome, comment } = v;
  if (typeof query !== 'string' || typeof strategy !== 'string' || typeof at !== 'string') return undefined;
  if (typeof queryType !== 'string' || !isQueryType(queryType)) return undefined;
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return undefined;
  return {
    query,
    queryType,
    strategy,
    score,
    at,
    ...(typeof outcome === 'string' ? { outcome } : {}),
    ...(typeof comment === 'string' ? { comment } : {}),
  };
}
