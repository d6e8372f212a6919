/**
 * The evaluation set format: one JSON object per line,
 *   {"question": "...", "relevant_document_ids": ["fs.md"], "expected_answer": "...", "section": "..."}
 * with at least one of `relevant_document_ids` (retrieval metrics) or `expected_answer` (judged
 * answer metrics). Unknown keys are kept out of the parsed item but allowed, so a set can carry
 * notes (`section`, `source`) for its human readers. Every bad line is reported with its number.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';

export interface EvalItem {
  /** 1-based line in the file, for reports. */
  line: number;
  question: string;
  relevantDocumentIds: string[];
  expectedAnswer?: string;
  section?: string;
}

const lineSchema = z
  .looseObject({
    question: z.string().trim().min(1, 'expected a non-empty question'),
    relevant_document_ids: z.array(z.string().min(1)).optional(),
    expected_answer: z.string().trim().min(1).optional(),
    section: z.string().optional(),
  })
  .refine((v) => (v.relevant_document_ids?.length ?? 0) > 0 || v.expected_answer !== undefined, {
    message: 'expected relevant_document_ids (non-empty) or expected_answer',
  });

export function parseEvalDataset(text: string, source = 'dataset'): EvalItem[] {
  const items: EvalItem[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push(`line ${line}: not valid JSON`);
      return;
    }
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      problems.push(`line ${line}: ${parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message).join('; ')}`);
      return;
    }
    const v = parsed.data;
    items.push({
      line,
      question: v.question,
      relevantDocumentIds: v.relevant_document_ids ?? [],
      ...(v.expected_answer !== undefined ? { expectedAnswer: v.expected_answer } : {}),
      ...(v.section !== undefined ? { section: v.section } : {}),
    });
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('\n  ');
    const more = problems.length > 5 ? `\n  … and ${problems.length - 5} more` : '';
    throw new ConduitError('invalid_request', `${source}: invalid evaluation set\n  ${shown}${more}`, { code: 'invalid_eval_dataset' });
  }
  if (items.length === 0) throw new ConduitError('invalid_request', `${source}: the evaluation set has no questions`, { code: 'invalid_eval_dataset' });
  return items;
}

export async function readEvalDataset(path: string): Promise<EvalItem[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConduitError('invalid_request', `Cannot read the evaluation set ${path}: ${(err as Error).message}`, { code: 'eval_dataset_unreadable', cause: err });
  }
  return parseEvalDataset(text, path);
}

/**
 * Whether a retrieved document id is a labelled one. Labels are written relative to the corpus
 * (`fs.md`), while ingestion may key documents by a longer path (`docs/api/fs.md`): a label matches
 * an id equal to it or ending in `/label`, never a mere substring (`s.md` must not match `fs.md`).
 */
export function documentMatches(documentId: string, label: string): boolean {
  if (documentId === label) return true;
  const normalised = documentId.replaceAll('\\', '/');
  return normalised === label || normalised.endsWith(`/${label}`);
}
