/**
 * `conduit eval from-traces`: production records become regression cases, each with the output that
 * was observed in production as its reference. The converter is a pure function over TraceRecords,
 * which come from a JSONL export (`--from traces.jsonl`, one record a line, e.g. from another
 * tracing system) or from Conduit's own trace store (`--from store`: model spans with captured
 * content, see from-spans.ts). (The audit log keeps content encrypted and the usage ledger keeps no
 * content, so neither can reconstruct a prompt.)
 *
 * A record: {"id"?: "…", "input": [{"role": "user", "content": "…"}], "output": "…", "model": "gpt-4o-mini", "metadata"?: {…}}
 * (`messages` is accepted for `input`; content may be OpenAI-style text parts.)
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import type { AssertionSpec } from '../assertions/create-assertion.js';
import type { RecordedMessage, SuiteInput } from './suite-schema.js';

const textContent = z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose())]).transform((c) =>
  typeof c === 'string' ? c : c.map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join(''),
);

const traceMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant', 'developer']), content: textContent }).loose();

export const traceRecordSchema = z
  .object({
    id: z.string().min(1).optional(),
    input: z.array(traceMessageSchema).min(1).optional(),
    messages: z.array(traceMessageSchema).min(1).optional(),
    output: z.string(),
    model: z.string().min(1),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => r.input !== undefined || r.messages !== undefined, { message: 'expected input (the messages sent)', path: ['input'] });

export interface TraceRecord {
  id?: string;
  /** The messages sent to the model. */
  input: RecordedMessage[];
  /** What the model answered in production. */
  output: string;
  model: string;
  metadata?: Record<string, unknown>;
}

/** Parses a JSONL export; errors name the line. Blank lines are skipped. */
export function parseTraceJsonl(text: string, source = 'traces.jsonl'): TraceRecord[] {
  const records: TraceRecord[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (err) {
      throw new ConduitError('invalid_request', `${source}:${i + 1}: not JSON: ${err instanceof Error ? err.message : String(err)}`, { code: 'invalid_traces' });
    }
    const parsed = traceRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConduitError('invalid_request', `${source}:${i + 1}: ${issue === undefined ? 'invalid record' : `${issue.path.join('.') || '(record)'}: ${issue.message}`}`, { code: 'invalid_traces' });
    }
    const r = parsed.data;
    const input = (r.input ?? r.messages ?? []).map((m): RecordedMessage => ({ role: m.role === 'developer' ? 'system' : m.role, content: m.content }));
    records.push({ ...(r.id === undefined ? {} : { id: r.id }), input, output: r.output, model: r.model, ...(r.metadata === undefined ? {} : { metadata: r.metadata }) });
  }
  return records;
}

export interface TracesToSuiteOptions {
  name?: string;
  /** Models to test; default: the models the traces were served by. */
  models?: string[];
  /** Keep only records whose metadata has these values (compared as strings). */
  where?: Record<string, string>;
  /** At most this many cases (after filtering), the first ones. */
  limit?: number;
  /** Assertions every case gets; default: semantic similarity ≥ 0.8 to the observed output. */
  assertions?: AssertionSpec[];
  grader?: string;
}

/** A suite (plain data, ready for YAML) with one case per selected record. Pure. */
export function tracesToSuite(records: readonly TraceRecord[], options: TracesToSuiteOptions = {}): SuiteInput {
  const where = Object.entries(options.where ?? {});
  const selected = records
    .filter((r) => where.every(([k, v]) => r.metadata !== undefined && Object.hasOwn(r.metadata, k) && String(r.metadata[k]) === v))
    .filter((r) => r.output.trim() !== '' && r.input.some((m) => m.role === 'user'))
    .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  if (selected.length === 0) throw new ConduitError('invalid_request', 'no trace records selected (check the filter, and that records have a user message and an output)', { code: 'no_traces' });
  const models = options.models ?? [...new Set(selected.map((r) => r.model))];
  const usedNames = new Set<string>();
  const cases = selected.map((r, i) => {
    let name = r.id ?? `trace-${i + 1}`;
    // Case names must be unique; a repeated trace id gets a suffix.
    for (let n = 2; usedNames.has(name); n++) name = `${r.id ?? `trace-${i + 1}`}-${n}`;
    usedNames.add(name);
    return {
      name,
      messages: r.input,
      reference: r.output,
      metadata: { source: 'trace', model: r.model, ...(r.id === undefined ? {} : { trace_id: r.id }), ...(r.metadata ?? {}) },
    };
  });
  return {
    name: options.name ?? 'from-traces',
    description: `${cases.length} production records, their observed outputs as references`,
    prompts: [{ case_messages: true, label: 'recorded' }],
    models,
    options: { temperature: 0 },
    ...(options.grader === undefined ? {} : { grader: options.grader }),
    defaults: { assert: options.assertions ?? [{ type: 'similar', threshold: 0.8 }] },
    cases,
  };
}
