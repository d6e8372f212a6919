/**
 * Working memory for one run: a key/value scratchpad the agent reads and writes between steps.
 * It is bounded (entries and total characters, default 50 entries as in the guide) so a looping
 * run cannot grow it without limit; the least recently written entries are evicted first and
 * handed to `onEvict` (e.g. to keep them in long-term memory).
 */
import { ConduitError } from '../../core/errors.js';

export interface WorkingMemoryOptions {
  maxEntries?: number;
  /** Bound on the sum of key and value lengths, in characters (default 64 000). */
  maxChars?: number;
  onEvict?: (key: string, value: string) => void;
}

export const DEFAULT_WORKING_MEMORY_ENTRIES = 50;
export const DEFAULT_WORKING_MEMORY_CHARS = 64_000;

export class WorkingMemory {
  readonly maxEntries: number;
  readonly maxChars: number;
  private readonly entries = new Map<string, string>();
  private chars = 0;
  private readonly onEvict: ((key: string, value: string) => void) | undefined;

  constructor(options: WorkingMemoryOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_WORKING_MEMORY_ENTRIES;
    this.maxChars = options.maxChars ?? DEFAULT_WORKING_MEMORY_CHARS;
    this.onEvict = options.onEvict;
    if (!(this.maxEntries >= 1) || !(this.maxChars >= 1)) throw new ConduitError('invalid_request', 'Working memory bounds must be at least 1', { code: 'invalid_bounds' });
  }

  /** Writes (or overwrites) a key; it becomes the most recent. An entry larger than the whole bound is refused. */
  set(key: string, value: string): void {
    const size = key.length + value.length;
    if (size > this.maxChars) {
      throw new ConduitError('payload_too_large', `Working memory entry '${key.slice(0, 40)}' has ${size} characters; the bound is ${this.maxChars}`, { code: 'working_memory_entry_too_large' });
    }
    this.delete(key);
    this.entries.set(key, value);
    this.chars += size;
    for (const [oldKey, oldValue] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.entries.delete(oldKey);
      this.chars -= oldKey.length + oldValue.length;
      this.onEvict?.(oldKey, oldValue);
    }
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): boolean {
    const value = this.entries.get(key);
    if (value === undefined) return false;
    this.entries.delete(key);
    this.chars -= key.length + value.length;
    return true;
  }

  /** Oldest write first. */
  entriesInOrder(): [string, string][] {
    return [...this.entries];
  }

  get size(): number {
    return this.entries.size;
  }

  get totalChars(): number {
    return this.chars;
  }

  /** The scratchpad as text for a prompt: `key: value` lines, each value cut to `maxValueChars` (default 200, as the guide's view). */
  render(maxValueChars = 200): string {
    return [...this.entries].map(([k, v]) => `${k}: ${v.length > maxValueChars ? `${v.slice(0, maxValueChars)}…` : v}`).join('\n');
  }
}
