/**
 * Request bodies of the RAG HTTP API, validated with zod. A failed validation becomes a 400 naming
 * the offending field (`documents.0.text: …`), before anything is read from or written to a store.
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { MetadataFilter } from '../types.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const metadataValue = z.union([scalar, z.null(), z.array(scalar)]);
const metadataSchema = z.record(z.string().min(1), metadataValue);

const filterValue = z.union([
  metadataValue,
  z.strictObject({ in: z.array(scalar).min(1) }),
  z
    .strictObject({ gte: z.union([z.number(), z.string()]).optional(), lte: z.union([z.number(), z.string()]).optional() })
    .refine((v) => v.gte !== undefined || v.lte !== undefined, { message: 'a range needs gte or lte' }),
]);

export const createCollectionSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().max(1000).optional(),
});

const documentSchema = z.strictObject({
  id: z.string().min(1).optional(),
  text: z.string(),
  metadata: metadataSchema.optional(),
  /** How to read `text`: text (default), markdown, html, json, jsonl, csv. */
  type: z.enum(['text', 'markdown', 'html', 'json', 'jsonl', 'csv']).optional(),
});

export type DocumentInput = z.output<typeof documentSchema>;

export const addDocumentsSchema = z.union([z.strictObject({ documents: z.array(documentSchema).min(1).max(1000) }), documentSchema]);

export const querySchema = z.strictObject({
  query: z.string().min(1),
  collection: z.string().min(1),
  top_k: z.number().int().min(1).max(100).optional(),
  strategy: z.string().min(1).optional(),
  filters: z.record(z.string().min(1), filterValue).optional(),
});

/** A rating of one answer: a score from 0 to 1, or thumbs up (1) / down (0); exactly one of them. */
export const feedbackSchema = z
  .strictObject({
    query: z.string().min(1),
    strategy: z.string().min(1),
    score: z.number().min(0).max(1).optional(),
    thumbs: z.enum(['up', 'down']).optional(),
    comment: z.string().max(2000).optional(),
  })
  .refine((v) => (v.score === undefined) !== (v.thumbs === undefined), { message: 'give exactly one of score (0 to 1) or thumbs (up or down)', path: ['score'] });

/** The feedback's score in [0, 1]: thumbs up is 1, down is 0. */
export function feedbackScore(body: z.output<typeof feedbackSchema>): number {
  return body.score ?? (body.thumbs === 'up' ? 1 : 0);
}

export const uploadFieldsSchema = z.strictObject({
  id: z.string().min(1).optional(),
  metadata: z.string().optional(),
  type: z.enum(['text', 'markdown', 'html', 'pdf', 'json', 'jsonl', 'csv']).optional(),
});

export function parseMetadataField(raw: string | undefined): z.output<typeof metadataSchema> | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConduitError('invalid_request', "Form field 'metadata' must be a JSON object", { code: 'invalid_metadata', param: 'metadata' });
  }
  return validate(metadataSchema, value, 'metadata');
}

/** Parses `value` or throws a 400 listing the first few issues with their paths. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const first = parsed.error.issues[0];
  const param = [prefix, ...(first?.path.map(String) ?? [])].filter((p) => p !== '').join('.');
  throw new ConduitError('invalid_request', `Invalid request: ${issues.join('; ')}`, { code: 'invalid_request_body', ...(param ? { param } : {}) });
}

export function toMetadataFilter(filters: z.output<typeof querySchema>['filters']): MetadataFilter | undefined {
  return filters;
}
