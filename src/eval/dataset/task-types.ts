/**
 * The fine-tuning task types a dataset can be for, what each sample must carry, and how a sample
 * reads as text (for lengths and duplicates) and as a label (for stratification and balance).
 */
import { ConduitError } from '../../core/errors.js';

export const TASK_TYPES = ['classification', 'chat', 'completion', 'qa'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** One sample as read from the file: a JSON object. */
export type DatasetRecord = Record<string, unknown>;

export const REQUIRED_FIELDS: Record<TaskType, readonly string[]> = {
  classification: ['text', 'label'],
  chat: ['messages'],
  completion: ['prompt', 'completion'],
  qa: ['question', 'answer'],
};

export function parseTaskType(value: string | undefined): TaskType {
  if (value === undefined) throw new ConduitError('invalid_request', `A task type is needed: ${TASK_TYPES.join(', ')}`, { code: 'missing_task' });
  if (!(TASK_TYPES as readonly string[]).includes(value)) throw new ConduitError('invalid_request', `Unknown task type '${value}' (expected ${TASK_TYPES.join(', ')})`, { code: 'invalid_task' });
  return value as TaskType;
}

/** The required fields absent from a sample (null counts as absent). */
export function missingFields(record: DatasetRecord, task: TaskType): string[] {
  return REQUIRED_FIELDS[task].filter((f) => record[f] === undefined || record[f] === null);
}

/** Required fields present but empty: blank strings, or a messages list with no non-blank content. */
export function emptyFields(record: DatasetRecord, task: TaskType): string[] {
  return REQUIRED_FIELDS[task].filter((f) => {
    const v = record[f];
    if (v === undefined || v === null) return false;
    if (typeof v === 'string') return v.trim() === '';
    if (f === 'messages') return !Array.isArray(v) || chatMessages(v).every((m) => m.content.trim() === '');
    return false;
  });
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The well-formed `{role, content}` messages of a chat sample (others are dropped; validation reports them). */
export function chatMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) return [];
  const out: ChatMessage[] = [];
  for (const m of value) {
    if (m === null || typeof m !== 'object') continue;
    const { role, content } = m as { role?: unknown; content?: unknown };
    if ((role === 'system' || role === 'user' || role === 'assistant') && typeof content === 'string') out.push({ role, content });
  }
  return out;
}

/** A chat sample's structural problem, or undefined: every message well-formed, at least one user turn, ending on the assistant. */
export function chatProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "'messages' is not a list";
  const good = chatMessages(value);
  if (good.length !== value.length) return "a message lacks a role (system, user or assistant) or string content";
  if (!good.some((m) => m.role === 'user')) return 'no user message';
  if (good[good.length - 1]?.role !== 'assistant') return 'does not end with an assistant message (the target)';
  return undefined;
}

/** The sample's text, for length statistics: the input and the target together. */
export function sampleText(record: DatasetRecord, task: TaskType): string {
  if (task === 'chat') return chatMessages(record.messages).map((m) => m.content).join('\n');
  return REQUIRED_FIELDS[task]
    .concat(task === 'qa' && typeof record.context === 'string' ? ['context'] : [])
    .map((f) => stringOf(record[f]))
    .join('\n');
}

/** The label of a classification sample (as a string), else undefined. */
export function labelOf(record: DatasetRecord, task: TaskType): string | undefined {
  if (task !== 'classification') return undefined;
  const v = record.label;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function stringOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
