/**
 * The cache key of one job: a SHA-256 over the canonical JSON (sorted keys) of everything that
 * determines its output — model name, rendered messages (prompt + vars), call options, tools, the
 * agent settings and the repeat index (repeats are separate samples, each cached on its own).
 * Assertions are not part of it: changing a check re-evaluates the cached output, with no new call.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../cache/canonical-json.js';
import type { Message, ToolDefinition } from '../../core/messages.js';
import type { AgentSpec, SuiteCallOptions } from './suite-schema.js';

/** Bump when the meaning of a cached output changes, so stale entries are never read. */
export const INPUT_HASH_VERSION = 1;

export interface JobInput {
  model: string;
  messages: Message[];
  options: SuiteCallOptions;
  tools?: ToolDefinition[];
  agent?: AgentSpec;
  repeat: number;
}

export function inputHash(input: JobInput): string {
  return createHash('sha256').update(canonicalJson({ v: INPUT_HASH_VERSION, ...input })).digest('hex');
}
